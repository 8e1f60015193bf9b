import Dispatch
import Foundation
import Synchronization

/// An AMQP 0-9-1 connection with an async API. rabbitmq-c blocks and is not thread-safe, so every call
/// runs on this connection's own serial queue, one at a time, in the order they were made; the `...Now` calls
/// (publish, ack, a receive that does not wait) run on the caller's thread instead, under the same lock.
public final class AMQPConnection: @unchecked Sendable {
    // @unchecked: `core` is only touched while holding `lock` (the queue's calls take it too).
    private let core: BlockingConnection
    private let queue: DispatchQueue
    private let lock = NSLock()
    public let url: AMQPURL
    /// Unique in this process; deliveries carry it so a tag is never acknowledged on another connection.
    public let id: UInt64

    private static let ids = Atomic<UInt64>(0)

    private init(url: AMQPURL) {
        let id = Self.ids.add(1, ordering: .relaxed).newValue
        self.url = url
        self.id = id
        self.core = BlockingConnection(endpoint: url.endpoint, id: id)
        self.queue = DispatchQueue(label: "cse.amqp.connection-\(id)")
    }

    /// Opens a TCP connection, logs in with SASL PLAIN, and opens a channel.
    public static func connect(to url: AMQPURL, options: AMQPConnectionOptions = AMQPConnectionOptions()) async throws(AMQPError) -> AMQPConnection {
        let connection = AMQPConnection(url: url)
        try await connection.perform { try $0.open(url, options: options) }
        return connection
    }

    public func declareExchange(_ name: String, type: String = "direct", durable: Bool = true) async throws(AMQPError) {
        try await perform { try $0.declareExchange(name, type: type, durable: durable) }
    }

    /// Declares a durable, shared queue; returns the number of messages ready in it.
    @discardableResult
    public func declareQueue(_ name: String, durable: Bool = true) async throws(AMQPError) -> Int {
        Int(try await perform { try $0.declareQueue(name, durable: durable, passive: false) })
    }

    /// The number of messages ready in an existing queue. Because a channel is ordered, the answer also
    /// means every earlier publish on this connection has reached the broker.
    public func messageCount(queue name: String) async throws(AMQPError) -> Int {
        Int(try await perform { try $0.declareQueue(name, durable: false, passive: true) })
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws(AMQPError) {
        try await perform { try $0.bindQueue(queue, exchange: exchange, routingKey: routingKey) }
    }

    public func deleteQueue(_ name: String) async throws(AMQPError) {
        try await perform { try $0.deleteQueue(name) }
    }

    public func deleteExchange(_ name: String) async throws(AMQPError) {
        try await perform { try $0.deleteExchange(name) }
    }

    public func setPrefetch(_ count: UInt16) async throws(AMQPError) {
        try await perform { try $0.setPrefetch(count) }
    }

    /// Declares the topology and starts consuming its queue with manual acknowledgement.
    public func consume(_ topology: AMQPTopology) async throws(AMQPError) {
        try await perform { core in
            try core.declareExchange(topology.exchange, type: "direct", durable: true)
            try core.declareQueue(topology.queue, durable: true, passive: false)
            try core.bindQueue(topology.queue, exchange: topology.exchange, routingKey: topology.routingKey)
            try core.setPrefetch(topology.prefetch)
            _ = try core.consume(queue: topology.queue)
        }
    }

    /// Starts consuming an existing queue with manual acknowledgement; returns the consumer tag.
    @discardableResult
    public func consume(queue: String) async throws(AMQPError) -> String {
        try await perform { try $0.consume(queue: queue) }
    }

    /// The next delivery, or nil when none arrives within `timeout`. Keep calling it while idle: it is what
    /// answers the broker's heartbeats.
    public func receive(timeout: Duration) async throws(AMQPError) -> AMQPDelivery? {
        try await perform { try $0.receive(timeout: timeout) }
    }

    public func ack(_ delivery: AMQPDelivery) async throws(AMQPError) {
        precondition(delivery.connectionID == id, "a delivery tag is only valid on the connection that delivered it")
        try await perform { try $0.ack(delivery.deliveryTag) }
    }

    public func nack(_ delivery: AMQPDelivery, requeue: Bool) async throws(AMQPError) {
        precondition(delivery.connectionID == id, "a delivery tag is only valid on the connection that delivered it")
        try await perform { try $0.nack(delivery.deliveryTag, requeue: requeue) }
    }

    public func publish(exchange: String, routingKey: String, body: Data, properties: AMQPProperties = AMQPProperties()) async throws(AMQPError) {
        try await perform { try $0.publish(exchange: exchange, routingKey: routingKey, body: body, properties: properties) }
    }

    public var isOpen: Bool {
        get async { (try? await perform { $0.isOpen }) ?? false }
    }

    /// Closes politely (connection.close); unacknowledged deliveries go back to their queues.
    public func close() async {
        try? await perform { $0.close() }
    }

    /// Drops the socket without closing the connection, as a crashed process would.
    public func abandon() async {
        try? await perform { $0.abandon() }
    }

    // MARK: calls on the caller's thread

    // A request served on a consumer publishes its reply and acknowledges its delivery: sending a frame does not wait
    // for the broker, so these run where they are called, under the connection's lock, without two thread switches
    // (to the connection's queue and back) each. Only a consumer whose blocking receives (`receive(timeout:)` with a
    // wait) never overlap its requests should use them: the lock is held for the whole of a call.

    /// `receive(timeout: .zero)` on the caller's thread: only what already arrived.
    public func receiveNow() throws(AMQPError) -> AMQPDelivery? {
        try performNow { try $0.receive(timeout: .zero) }
    }

    /// The next delivery, or nil when none arrives within `timeout`, waiting without holding the connection: the
    /// `...Now` calls go ahead meanwhile. The wait (on this connection's queue, not the caller's thread) watches the
    /// socket; it lasts at most `longestBlindWait` at a time, since input can also reach rabbitmq-c's own buffers
    /// unseen by the socket (a TLS record decrypted ahead, frames read by another call's reply).
    public func receiveWhenReady(timeout: Duration) async throws(AMQPError) -> AMQPDelivery? {
        let result: Result<AMQPDelivery?, AMQPError> = await withCheckedContinuation { continuation in
            queue.async {
                let deadline = ContinuousClock.now + timeout
                while true {
                    let result: Result<AMQPDelivery?, AMQPError>
                    do throws(AMQPError) {
                        if let socket = try self.performNow({ try $0.socketToWaitOn() }) {
                            let wait = min(deadline - ContinuousClock.now, Self.longestBlindWait)
                            var watched = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                            _ = poll(&watched, 1, Int32(max(0, wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)))
                        }
                        result = .success(try self.receiveNow())
                    } catch {
                        result = .failure(error)
                    }
                    if case .success(nil) = result, ContinuousClock.now < deadline { continue }
                    continuation.resume(returning: result)
                    return
                }
            }
        }
        return try result.get()
    }

    static let longestBlindWait: Duration = .milliseconds(50)

    /// `ack(_:)` on the caller's thread.
    public func ackNow(_ delivery: AMQPDelivery) throws(AMQPError) {
        precondition(delivery.connectionID == id, "a delivery tag is only valid on the connection that delivered it")
        try performNow { try $0.ack(delivery.deliveryTag) }
    }

    /// `nack(_:requeue:)` on the caller's thread.
    public func nackNow(_ delivery: AMQPDelivery, requeue: Bool) throws(AMQPError) {
        precondition(delivery.connectionID == id, "a delivery tag is only valid on the connection that delivered it")
        try performNow { try $0.nack(delivery.deliveryTag, requeue: requeue) }
    }

    /// `publish(...)` on the caller's thread.
    public func publishNow(exchange: String, routingKey: String, body: Data, properties: AMQPProperties = AMQPProperties()) throws(AMQPError) {
        try performNow { try $0.publish(exchange: exchange, routingKey: routingKey, body: body, properties: properties) }
    }

    private func performNow<T>(_ work: (BlockingConnection) throws -> T) throws(AMQPError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try work(core)
        } catch let error as AMQPError {
            throw error
        } catch {
            throw .connectionLost(during: "call", reason: "\(error)")
        }
    }

    private func perform<T: Sendable>(_ work: @escaping @Sendable (BlockingConnection) throws -> T) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            queue.async {
                self.lock.lock()
                let result: Result<T, AMQPError>
                do {
                    result = .success(try work(self.core))
                } catch let error as AMQPError {
                    result = .failure(error)
                } catch {
                    result = .failure(.connectionLost(during: "call", reason: "\(error)"))
                }
                self.lock.unlock()
                continuation.resume(returning: result)
            }
        }
        return try result.get()
    }
}
