import AMQPTransport
import ArgumentParser
import Foundation

/// The broker a benchmark talks to: `--url`, else $CSE_AMQP_URL, else the local default broker.
struct BenchBrokerOption: ParsableArguments {
    @Option(help: "Broker URL (the password is never printed); default $CSE_AMQP_URL, else amqp://guest:guest@127.0.0.1:5672.")
    var url: String?

    /// The URL as given (passed on to child processes) and parsed; a malformed one is a usage error.
    func resolve() throws -> (text: String, broker: AMQPURL) {
        let text = url ?? ProcessInfo.processInfo.environment["CSE_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672"
        do {
            return (text, try AMQPURL(text))
        } catch {
            throw ValidationError(error.description)
        }
    }
}
