import Foundation
import Logging
import Synchronization
import Testing
import AMQPTransport
import ExtensionService

/// Keeps every log line (with its metadata) for assertions.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

@Suite struct LogSecrecyTests {
    @Test func reconnectWarningsNeverShowTheBrokerPassword() async throws {
        let log = CapturedLog()
        let url = AMQPURL(host: "127.0.0.1", port: 1, user: "cse", password: "pw-NEVER-LOG")
        let session = AMQPConsumerSession(url: url, topology: AMQPTopology(exchange: "x", queue: "q"),
                                          options: AMQPConnectionOptions(connectTimeout: .milliseconds(200)),
                                          reconnect: ReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(40)),
                                          logger: log.logger("cse.amqp"))
        let consumer = Task { _ = try await session.receive(timeout: .milliseconds(100)) }
        try await eventually { log.all.count >= 3 }
        consumer.cancel()
        _ = await consumer.result
        #expect(log.all.allSatisfy { $0.contains("amqp://cse:***@127.0.0.1:1/") && !$0.contains("pw-NEVER-LOG") }, "\(log.all)")
    }

    @Test(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
    func rejectedMessageIsOneLineWithoutTokenOrBody() async throws {
        let url = try #require(AMQPTestBroker.url)
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let log = CapturedLog()
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        let session = AMQPConsumerSession(url: url, topology: harness.topology, logger: log.logger("cse.amqp"))
        let service = ExtensionService(session: session, api: harness.api, logger: log.logger("cse.amqp.service"),
                                       pollInterval: .milliseconds(100), events: { harness.events.append($0) })
        let task = Task { try await service.run() }
        defer { task.cancel() }

        let secretBody = "c2VjcmV0LWJvZHk"  // not valid base64 (length), and must not be logged either
        let request: [String: Any] = ["id": "req-bad", "method": "POST", "requestUri": "/api/cluster", "body": secretBody,
                                      "headers": ["x-vcloud-authorization": "tok-SECRET-1", "Authorization": "Bearer tok-SECRET-2"]]
        try await vcd.publish(try JSONSerialization.data(withJSONObject: [request]), correlationID: "corr-bad")
        let reply = try #require(try await vcd.nextReply())
        #expect(reply.status == 400 && reply.id == "req-bad")
        try await eventually { harness.events.acknowledged == ["req-bad"] }

        let rejections = log.all.filter { $0.contains("rejected message") }
        #expect(rejections.count == 1)
        #expect(rejections.first?.contains("corr-bad") == true)
        for line in log.all {
            #expect(!line.contains("tok-SECRET") && !line.contains(secretBody) && !line.contains("guest:guest"), "\(line)")
        }
        task.cancel()
        await vcd.close()
    }
}
