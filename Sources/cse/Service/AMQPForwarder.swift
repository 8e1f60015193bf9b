import AMQPTransport
import Foundation
import Logging
import VCDSim

/// How `cse sim` hands requests that match a registered API extension to the service, as vCD does: publish
/// the extension message to the service's exchange and routing key with `reply_to` and a `replyToExchange`
/// header naming the simulator's own reply exchange, then wait for the reply with the same correlation id.
actor AMQPForwarder: ExtensionForwarder {
    static let replyExchange = "cse-sim-replies"

    private let url: AMQPURL
    private let logger: Logger
    private let replyQueue = "cse-sim-replies-\(UUID().uuidString.lowercased().prefix(8))"
    private var publisher: AMQPConnection?
    private var listener: Task<Void, Never>?
    private var waiting: [String: CheckedContinuation<Data?, Never>] = [:]
    private var declaredExchanges: Set<String> = []

    init(url: AMQPURL, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    static func make(url: String, logger: Logger = Logger(label: "cse.sim.amqp")) throws -> AMQPForwarder {
        AMQPForwarder(url: try AMQPURL(url), logger: logger)
    }

    nonisolated func forward(exchange: String, routingKey: String, correlationID: String, message: Data, timeout: Double) async throws -> Data? {
        try await send(exchange: exchange, routingKey: routingKey, correlationID: correlationID, message: message, timeout: timeout)
    }

    private func send(exchange: String, routingKey: String, correlationID: String, message: Data, timeout: Double) async throws -> Data? {
        try await startListening()
        let connection = try await publishingConnection()
        if !declaredExchanges.contains(exchange) {
            try await connection.declareExchange(exchange)
            declaredExchanges.insert(exchange)
        }
        let properties = AMQPProperties(correlationID: correlationID, replyTo: replyQueue, appID: "cse-sim",
                                        headers: ["replyToExchange": Self.replyExchange, "messageType": "ProcessHttpRequest"])
        do {
            try await connection.publish(exchange: exchange, routingKey: routingKey, body: message, properties: properties)
        } catch {
            publisher = nil
            throw error
        }
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            self.deliver(correlationID, nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in waiting[correlationID] = continuation }
    }

    private func deliver(_ correlationID: String, _ body: Data?) {
        waiting.removeValue(forKey: correlationID)?.resume(returning: body)
    }

    private func publishingConnection() async throws -> AMQPConnection {
        if let publisher, await publisher.isOpen { return publisher }
        let connection = try await AMQPConnection.connect(to: url)
        publisher = connection
        declaredExchanges = []
        return connection
    }

    /// Replies arrive on a queue of the simulator's own, bound to its reply exchange.
    private func startListening() async throws {
        guard listener == nil else { return }
        let session = AMQPConsumerSession(url: url, topology: AMQPTopology(exchange: Self.replyExchange, queue: replyQueue, routingKey: replyQueue),
                                          logger: logger)
        // The first receive connects and declares; fail now (not on a background task) if the broker is unreachable.
        _ = try await session.receive(timeout: .milliseconds(1))
        listener = Task {
            while !Task.isCancelled {
                do {
                    guard let delivery = try await session.receive(timeout: .milliseconds(500)) else { continue }
                    _ = await session.ack(delivery)
                    if let id = delivery.properties.correlationID { self.deliver(id, delivery.body) }
                } catch {
                    self.logger.warning("reply consumer: \(error)")
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await session.close()
        }
    }
}
