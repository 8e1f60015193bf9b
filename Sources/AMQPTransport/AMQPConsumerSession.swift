import Foundation
import Logging
import Synchronization

/// A consumer that outlives its connections: it connects (and declares its topology) when first used and
/// again after the broker goes away, pausing with exponential backoff and jitter between attempts.
/// Deliveries not acknowledged before a connection died are redelivered by the broker; acknowledging
/// one of them on a later connection is skipped, as its tag is meaningless there.
public actor AMQPConsumerSession {
    nonisolated public let url: AMQPURL
    nonisolated public let topology: AMQPTopology
    private let options: AMQPConnectionOptions
    private let policy: ReconnectPolicy
    private let logger: Logger
    private var connection: AMQPConnection? {
        didSet { current.withLock { $0 = connection } }
    }
    /// The connection as seen without waiting on the session: health checks, and the calls that run on the caller's
    /// thread (a publish, an ack, a receive that does not wait) read it.
    private nonisolated let current = Mutex<AMQPConnection?>(nil)
    /// Whether a connection to the broker is open now (read without waiting on the session: health checks use it).
    public nonisolated var isConnected: Bool { current.withLock { $0 != nil } }
    private var failedAttempts = 0
    public private(set) var connectionsOpened = 0

    public init(url: AMQPURL, topology: AMQPTopology, options: AMQPConnectionOptions = AMQPConnectionOptions(),
                reconnect: ReconnectPolicy = ReconnectPolicy(), logger: Logger = Logger(label: "cse.amqp")) {
        self.url = url
        self.topology = topology
        self.options = options
        self.policy = reconnect
        self.logger = logger
    }

    /// Waits up to `timeout` for the next delivery (nil if none), connecting first when needed. Transient
    /// failures are logged and retried; only a configuration error (bad login, rejected topology) or
    /// cancellation ends it.
    ///
    /// On an open connection it does not enter the session, and it waits without holding the connection: `publish`,
    /// `ack` and `requeue` (which run on the caller's thread) go ahead meanwhile.
    public nonisolated func receive(timeout: Duration) async throws -> AMQPDelivery? {
        if let connection = current.withLock({ $0 }) {
            do {
                // What already arrived is taken here, without a switch to the connection's queue and back.
                if let delivery = try connection.receiveNow() { return delivery }
                return timeout == .zero ? nil : try await connection.receiveWhenReady(timeout: timeout)
            } catch {
                await lose(connection, error)
                return nil
            }
        }
        return try await receiveOnSession(timeout: timeout)
    }

    private func receiveOnSession(timeout: Duration) async throws -> AMQPDelivery? {
        let connection = try await connected()
        do {
            return try await connection.receiveWhenReady(timeout: timeout)
        } catch {
            await lose(connection, error)
            return nil
        }
    }

    /// Acknowledges a delivery; false when its connection is gone (the broker will deliver it again).
    @discardableResult
    public nonisolated func ack(_ delivery: AMQPDelivery) async -> Bool {
        let outcome = answer(delivery) { connection throws(AMQPError) in try connection.ackNow(delivery) }
        if let (connection, error) = outcome.broke { await lose(connection, error) }
        return outcome.sent
    }

    /// Hands a delivery back to the broker (to be delivered again); false when its connection is gone (then the
    /// broker delivers it again anyway).
    @discardableResult
    public nonisolated func requeue(_ delivery: AMQPDelivery) async -> Bool {
        let outcome = answer(delivery) { connection throws(AMQPError) in try connection.nackNow(delivery, requeue: true) }
        if let (connection, error) = outcome.broke { await lose(connection, error) }
        return outcome.sent
    }

    /// `ack(_:)` on the caller's thread, without entering the session: for a caller that is not a task (the store's
    /// committer acknowledging a request once its writes committed). A broken connection is dropped in the background.
    @discardableResult
    public nonisolated func ackNow(_ delivery: AMQPDelivery) -> Bool {
        let outcome = answer(delivery) { connection throws(AMQPError) in try connection.ackNow(delivery) }
        if let (connection, error) = outcome.broke { Task { await self.lose(connection, error) } }
        return outcome.sent
    }

    /// `requeue(_:)` on the caller's thread (see `ackNow(_:)`).
    @discardableResult
    public nonisolated func requeueNow(_ delivery: AMQPDelivery) -> Bool {
        let outcome = answer(delivery) { connection throws(AMQPError) in try connection.nackNow(delivery, requeue: true) }
        if let (connection, error) = outcome.broke { Task { await self.lose(connection, error) } }
        return outcome.sent
    }

    /// Sends an ack or nack of `delivery` on the connection that delivered it, if that one is still the current one:
    /// whether it was sent, and the connection that broke while sending (for the caller to drop).
    private nonisolated func answer(_ delivery: AMQPDelivery, _ send: (AMQPConnection) throws(AMQPError) -> Void)
        -> (sent: Bool, broke: (AMQPConnection, AMQPError)?) {
        guard let connection = current.withLock({ $0 }), connection.id == delivery.connectionID else { return (false, nil) }
        do throws(AMQPError) {
            try send(connection)
            return (true, nil)
        } catch {
            return (false, (connection, error))
        }
    }

    /// Publishes on the current connection (connecting first when needed). Throws when the connection
    /// breaks meanwhile; the session reconnects on next use.
    public nonisolated func publish(exchange: String, routingKey: String, body: Data, properties: AMQPProperties) async throws {
        let open = current.withLock { $0 }
        let connection = if let open { open } else { try await connected() }
        do {
            try connection.publishNow(exchange: exchange, routingKey: routingKey, body: body, properties: properties)
        } catch {
            await lose(connection, error)
            throw error
        }
    }

    /// Drops the connection without acknowledging anything, as a crash would (tests use it).
    public func dropConnection() async {
        guard let connection else { return }
        self.connection = nil
        await connection.abandon()
    }

    public func close() async {
        guard let connection else { return }
        self.connection = nil
        await connection.close()
    }

    /// Requests served concurrently share the session: while one caller connects, the others wait for that same
    /// connection (an actor is re-entered at every await; two connects would leave a second consumer nobody reads,
    /// holding its deliveries unacknowledged).
    private var connecting: Task<AMQPConnection, any Error>?

    private func connected() async throws -> AMQPConnection {
        if let connection { return connection }
        if let connecting { return try await connecting.value }
        let attempt = Task { try await self.connect() }
        connecting = attempt
        defer { connecting = nil }
        // The caller that started the attempt stops it when cancelled (retrying against a broker that is down).
        return try await withTaskCancellationHandler { try await attempt.value } onCancel: { attempt.cancel() }
    }

    private func connect() async throws -> AMQPConnection {
        if let connection { return connection }
        while true {
            try Task.checkCancellation()
            do {
                let fresh = try await AMQPConnection.connect(to: url, options: options)
                do {
                    try await fresh.consume(topology)
                } catch {
                    await fresh.abandon()
                    throw error
                }
                if failedAttempts > 0 { logger.info("AMQP reconnected to \(url.redacted) after \(failedAttempts) failed attempt(s)") }
                logger.info("consuming queue \(topology.queue)")
                failedAttempts = 0
                connectionsOpened += 1
                connection = fresh
                return fresh
            } catch let error where error.isTransient {
                failedAttempts += 1
                let pause = policy.delay(afterFailures: failedAttempts)
                // One line per attempt, but only the first few at warning level: a long outage is not a log flood.
                let level: Logger.Level = failedAttempts <= 3 || failedAttempts % 20 == 0 ? .warning : .debug
                logger.log(level: level, "AMQP \(url.redacted) unavailable (\(error)); attempt \(failedAttempts), retrying in \(String(format: "%.2f", pause.seconds)) s")
                try await Task.sleep(for: pause)
            }
        }
    }

    private func lose(_ broken: AMQPConnection, _ error: AMQPError) async {
        if error.isRejectedPublish {
            // Only the publishing channel died (e.g. a reply to an exchange that does not exist); the
            // consuming channel and its deliveries are intact.
            logger.warning("AMQP publish rejected: \(error)")
            return
        }
        logger.warning("AMQP connection to \(url.redacted) lost: \(error)")
        if connection === broken { connection = nil }
        await broken.abandon()
    }

    private func lose(_ broken: AMQPConnection, _ error: any Error) async {
        await lose(broken, (error as? AMQPError) ?? .connectionLost(during: "call", reason: "\(error)"))
    }
}

extension Error {
    fileprivate var isTransient: Bool { (self as? AMQPError)?.isTransient ?? false }
}
