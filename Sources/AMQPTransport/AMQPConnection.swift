import Dispatch
import Foundation
import Synchronization

/// An AMQP 0-9-1 connection with an async API. rabbitmq-c blocks and is not thread-safe, so every call
/// runs on this connection's own serial queue, one at a time, in the order they were made.
public final class AMQPConnection: @unchecked Sendable {
    // @unchecked: `core` is only touched inside `queue`, which serializes every access.
    private let core: BlockingConnection
    private let queue: DispatchQueue
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

    private func perform<T: Sendable>(_ work: @escaping @Sendable (BlockingConnection) throws -> T) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            queue.async {
                do {
                    continuation.resume(returning: .success(try work(self.core)))
                } catch let error as AMQPError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.connectionLost(during: "call", reason: "\(error)")))
                }
            }
        }
        return try result.get()
    }
}
