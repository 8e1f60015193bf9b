import AMQPTransport
import ArgumentParser
import ExtensionService
import Foundation

/// `cse bench amqp`: tenant requests per second through RabbitMQ with the durable store commit, beside a
/// raw rabbitmq-c echo in the same run. Needs a reachable broker; creates and removes its own queues.
struct BenchAMQPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Measure tenant requests per second through RabbitMQ against a raw rabbitmq-c echo."
    )

    @Option(help: "Broker URL (the password is never printed); default $CSE_AMQP_URL, else amqp://guest:guest@127.0.0.1:5672.")
    var url: String?

    @Option(help: "Requests per phase.")
    var requests = 2000

    @Option(help: "Requests in flight at once.")
    var window = 16

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be positive") }
        guard window > 0 else { throw ValidationError("--window must be positive") }
    }

    func run() async throws {
        let text = url ?? ProcessInfo.processInfo.environment["CSE_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672"
        let broker: AMQPURL
        do {
            broker = try AMQPURL(text)
        } catch {
            throw ValidationError(error.description)
        }
        let report = try await AMQPBenchmark.run(url: broker, requests: requests, window: window)
        print(report)
    }
}
