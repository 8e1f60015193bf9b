import Foundation
import Testing
@testable import AMQPTransport

@Suite struct AMQPURLTests {
    @Test func parsesEveryPart() throws {
        let url = try AMQPURL("amqp://cse:s3cr%40t@broker.example:5673/vcd%2Fext")
        #expect(url == AMQPURL(host: "broker.example", port: 5673, user: "cse", password: "s3cr@t", vhost: "vcd/ext"))
    }

    @Test func defaultsAreGuestOnPort5672AndTheSlashVHost() throws {
        #expect(try AMQPURL("amqp://rabbit") == AMQPURL(host: "rabbit", port: 5672, user: "guest", password: "guest", vhost: "/"))
        // amqp-tools would send an empty vhost for the trailing slash, which brokers refuse.
        #expect(try AMQPURL("amqp://u:p@rabbit:5672/").vhost == "/")
        #expect(try AMQPURL("amqp://u:p@rabbit/%2F").vhost == "/")
        #expect(try AMQPURL("AMQP://u:p@rabbit/cse").vhost == "cse")
    }

    @Test(arguments: [
        ("http://u:hunter2@h", "scheme must be amqp or amqps, not http"),
        ("amqp://u:hunter2@:5672", "missing host"),
        ("amqp://u:hunter2@h:70000", "port 70000 is out of range"),
        ("amqp://u:hunter2@h/a/b", "a vhost is one path segment"),
        ("amqp://u:hunter2@h?heartbeat=5", "query parameters are not supported"),
        ("//u:hunter2@h", "missing scheme"),
    ])
    func rejectsWithAReasonThatHidesThePassword(text: String, reason: String) {
        do {
            _ = try AMQPURL(text)
            Issue.record("\(reason): accepted")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
            #expect(!error.isTransient)
        }
    }

    @Test func everyTextualFormRedactsThePassword() throws {
        let url = try AMQPURL("amqp://cse:hunter2@broker:5672/vcd")
        #expect(url.redacted == "amqp://cse:***@broker:5672/vcd")
        #expect("\(url)" == url.redacted)
        #expect(String(reflecting: url) == url.redacted)
        var dumped = ""
        dump(url, to: &dumped)
        #expect(!dumped.contains("hunter2") && dumped.contains("***"))
        #expect(try AMQPURL("amqp://u:p@h").redacted == "amqp://u:***@h:5672/%2F")
    }

    @Test func amqpsMeansVerifiedTLSOnPort5671() throws {
        let url = try AMQPURL("amqps://cse:hunter2@broker/vcd")
        #expect(url.port == 5671)
        #expect(url.tls == AMQPTLS(verifyPeer: true))
        #expect(url.redacted == "amqps://cse:***@broker:5671/vcd")
        #expect(try AMQPURL("amqp://cse:hunter2@broker/vcd").tls == nil)
    }
}

@Suite struct ReconnectPolicyTests {
    @Test func delaysDoubleUpToTheCapWithHalfOfEachRandom() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(2))
        let lowest = (1...8).map { policy.delay(afterFailures: $0, random: { $0.lowerBound }) }
        let highest = (1...8).map { policy.delay(afterFailures: $0, random: { $0.upperBound }) }
        #expect(highest.map(\.seconds).map { ($0 * 1000).rounded() } == [100, 200, 400, 800, 1600, 2000, 2000, 2000])
        #expect(zip(lowest, highest).allSatisfy { abs($0.seconds * 2 - $1.seconds) < 1e-9 })
        #expect(policy.delay(afterFailures: 500) <= .seconds(2))
        let spread = Set((0..<50).map { _ in policy.delay(afterFailures: 3) })
        #expect(spread.count > 1, "jitter makes attempts differ")
    }
}
