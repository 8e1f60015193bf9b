import AMQPTransport
import Foundation

/// The baseline: a consumer on plain rabbitmq-c that sends each message body straight back to its reply
/// address and acknowledges it, with no decoding and no store.
struct RawEchoConsumer {
    let connection: AMQPConnection

    static func start(url: AMQPURL, topology: AMQPTopology) async throws -> RawEchoConsumer {
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.consume(topology)
        return RawEchoConsumer(connection: connection)
    }

    /// Echoes until cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                guard let delivery = try await connection.receive(timeout: .milliseconds(100)) else { continue }
                let properties = AMQPProperties(contentType: "application/json", correlationID: delivery.properties.correlationID)
                try await connection.publish(exchange: delivery.properties.headers["replyToExchange"] ?? "",
                                             routingKey: delivery.properties.replyTo ?? "", body: delivery.body, properties: properties)
                try await connection.ack(delivery)
            } catch {
                return
            }
        }
    }
}
