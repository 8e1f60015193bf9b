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

@Suite(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
struct AMQPTransportFailureTests {
    let url = AMQPTestBroker.url!

    @Test func nackedMessageComesBackMarkedRedelivered() async throws {
        let topology = AMQPTopology(exchange: AMQPTestBroker.unique("x"), queue: AMQPTestBroker.unique("q"))
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.consume(topology)
        try await connection.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: Data("once".utf8))
        let first = try #require(try await connection.receive(timeout: .seconds(5)))
        #expect(!first.redelivered)
        try await connection.nack(first, requeue: true)
        let again = try #require(try await connection.receive(timeout: .seconds(5)))
        #expect(again.redelivered && again.body == Data("once".utf8))
        try await connection.ack(again)
        try await connection.deleteQueue(topology.queue)
        try await connection.deleteExchange(topology.exchange)
        await connection.close()
    }

    @Test func unackedMessageIsRedeliveredAfterTheConnectionDrops() async throws {
        let topology = AMQPTopology(exchange: AMQPTestBroker.unique("x"), queue: AMQPTestBroker.unique("q"))
        let first = try await AMQPConnection.connect(to: url)
        try await first.consume(topology)
        try await first.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: Data("work".utf8),
                                properties: AMQPProperties(persistent: true))
        #expect(try await first.receive(timeout: .seconds(5))?.redelivered == false)
        await first.abandon()
        let second = try await AMQPConnection.connect(to: url)
        try await second.consume(topology)
        let again = try #require(try await second.receive(timeout: .seconds(5)))
        #expect(again.redelivered && again.body == Data("work".utf8) && again.properties.persistent)
        try await second.ack(again)
        try await second.deleteQueue(topology.queue)
        try await second.deleteExchange(topology.exchange)
        await second.close()
    }

    @Test func publishToMissingExchangeReportsBrokerTextAndConsumingGoesOn() async throws {
        let topology = AMQPTopology(exchange: AMQPTestBroker.unique("x"), queue: AMQPTestBroker.unique("q"))
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.consume(topology)
        let missing = AMQPTestBroker.unique("missing")
        // Refused at once (not silently dropped), with the broker's text.
        do {
            try await connection.publish(exchange: missing, routingKey: "r", body: Data("lost".utf8))
            Issue.record("publish to a missing exchange succeeded")
        } catch {
            guard case .channelClosedByBroker(404, let text, "publish") = error else {
                Issue.record("expected a 404 channel close, got \(error)")
                return
            }
            #expect(text.contains("NOT_FOUND") && text.contains(missing))
            #expect(error.isRejectedPublish && !error.isTransient)
        }
        // Consuming channel intact; publishing reopens a channel.
        try await connection.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: Data("kept".utf8))
        let delivery = try #require(try await connection.receive(timeout: .seconds(5)))
        #expect(delivery.body == Data("kept".utf8))
        try await connection.ack(delivery)
        try await connection.deleteQueue(topology.queue)
        try await connection.deleteExchange(topology.exchange)
        await connection.close()
    }

    @Test func idleConsumerThatKeepsWaitingAnswersHeartbeatsAndStaysConnected() async throws {
        // 3 s heartbeats: the broker drops a connection that stays silent for two of them (6 s); idling 10 s
        // proves they are answered. (1 s and 2 s heartbeats made the test fail on a loaded machine while it was still
        // declaring its queue, before any waiting began.)
        let topology = AMQPTopology(exchange: AMQPTestBroker.unique("x"), queue: AMQPTestBroker.unique("q"))
        let connection = try await AMQPConnection.connect(to: url, options: AMQPConnectionOptions(heartbeatSeconds: 3))
        try await connection.consume(topology)
        let idleUntil = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < idleUntil {
            #expect(try await connection.receive(timeout: .milliseconds(250)) == nil)
        }
        try await connection.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: Data("still here".utf8))
        let delivery = try #require(try await connection.receive(timeout: .seconds(5)))
        #expect(delivery.body == Data("still here".utf8))
        try await connection.ack(delivery)
        try await connection.deleteQueue(topology.queue)
        try await connection.deleteExchange(topology.exchange)
        await connection.close()
    }

    @Test func wrongPasswordIsARefusedLoginThatNeverShowsThePassword() async throws {
        var wrong = url
        wrong.password = "not-the-Password-4711"
        do {
            _ = try await AMQPConnection.connect(to: wrong)
            Issue.record("login with a wrong password succeeded")
        } catch {
            guard case .loginRefused = error else { Issue.record("expected loginRefused, got \(error)"); return }
            #expect(!error.isTransient)
            #expect(!error.description.contains("not-the-Password-4711"))
            #expect(error.description.contains("ACCESS_REFUSED"))
        }
    }

    @Test func closedPortIsAConnectionFailure() async throws {
        // Port 1 on loopback: nothing listens there.
        do {
            _ = try await AMQPConnection.connect(to: AMQPURL(host: "127.0.0.1", port: 1), options: AMQPConnectionOptions(connectTimeout: .seconds(1)))
            Issue.record("connected to port 1")
        } catch {
            guard case .connectionFailed(let endpoint, _) = error else { Issue.record("expected connectionFailed, got \(error)"); return }
            #expect(endpoint == "127.0.0.1:1" && error.isTransient)
        }
    }
}
