import Foundation
import Testing
@testable import AMQPTransport

@Suite(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
struct AMQPTransportTests {
    let url = AMQPTestBroker.url!

    @Test func publishedMessageArrivesWithBodyAndProperties() async throws {
        let topology = AMQPTopology(exchange: AMQPTestBroker.unique("x"), queue: AMQPTestBroker.unique("q"))
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.consume(topology)
        let body = Data((0..<3000).map { UInt8($0 % 251) })
        let sent = AMQPProperties(contentType: "application/octet-stream", correlationID: "corr-1", replyTo: "replies",
                                  persistent: true, headers: ["replyToExchange": "vcd-replies", "messageType": "ProcessHttpRequest"])
        try await connection.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: body, properties: sent)
        let delivery = try #require(try await connection.receive(timeout: .seconds(5)))
        #expect(delivery.body == body)
        #expect(delivery.properties == sent)
        #expect(!delivery.redelivered)
        #expect(delivery.exchange == topology.exchange && delivery.routingKey == topology.routingKey)
        try await connection.ack(delivery)
        #expect(try await connection.receive(timeout: .milliseconds(200)) == nil)
        try await connection.deleteQueue(topology.queue)
        try await connection.deleteExchange(topology.exchange)
        await connection.close()
    }
}
