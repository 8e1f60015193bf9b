import AMQPTransport
import ArgumentParser
import ExtensionService
import Foundation
import Spec

/// `cse bench amqp`: tenant requests per second through RabbitMQ with the durable store commit, beside a
/// raw rabbitmq-c echo in the same run. Needs a reachable broker; creates and removes its own queues.
struct BenchAMQPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Measure tenant requests per second through RabbitMQ against a raw rabbitmq-c echo."
    )

    @OptionGroup var brokerOption: BenchBrokerOption

    @Option(help: "Requests per path (tenant API and raw echo), split over the rounds.")
    var requests = 2000

    @Option(help: "Alternating rounds of the two paths (so that a change in the machine's speed weighs on both alike).")
    var rounds = 5

    @Option(help: "Requests in flight at once (the client side, standing in for vCD).")
    var window = 16

    @Option(help: "Service consumers (as service.listeners).")
    var listeners = ServiceSettings().listeners

    @Option(name: .customLong("inflight"), help: "Requests each consumer serves at once (as service.inflight_per_listener).")
    var inFlight = ServiceSettings().inFlightPerListener

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be positive") }
        guard (1...requests).contains(rounds) else { throw ValidationError("--rounds must be within 1...\(requests) (--requests)") }
        guard window > 0 else { throw ValidationError("--window must be positive") }
        guard (1...64).contains(listeners) else { throw ValidationError("--listeners must be within 1...64") }
        guard (1...256).contains(inFlight) else { throw ValidationError("--inflight must be within 1...256") }
    }

    func run() async throws {
        let (_, broker) = try brokerOption.resolve()
        let report = try await AMQPBenchmark.run(url: broker, requests: requests, window: window, listeners: listeners, inFlight: inFlight,
                                                 rounds: rounds)
        print(report)
    }
}
