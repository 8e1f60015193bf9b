import Testing
@testable import AMQPTransport

@Suite struct AMQPURLTests {
    @Test func parsesEveryPart() throws {
        let url = try AMQPURL("amqp://cse:s3cr%40t@broker.example:5673/vcd%2Fext")
        #expect(url == AMQPURL(host: "broker.example", port: 5673, user: "cse", password: "s3cr@t", vhost: "vcd/ext"))
    }
}
