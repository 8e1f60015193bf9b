import Foundation
import AMQPTransport

/// The broker the tests use: `CSE_TEST_AMQP_URL` (scripts/test sets it and starts RabbitMQ).
enum AMQPTestBroker {
    static let url: AMQPURL? = ProcessInfo.processInfo.environment["CSE_TEST_AMQP_URL"].flatMap { try? AMQPURL($0) }

    /// A name no other test (or earlier run) uses.
    static func unique(_ prefix: String) -> String { "cse-test-\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
}
