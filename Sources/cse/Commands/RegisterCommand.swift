import ArgumentParser
import Foundation
import Spec
import VCDClient

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register (or update) cse's API extension in vCD: /api/cluster and /api/template go to the amqp exchange.",
        discussion: "Idempotent: a second run with the same config changes nothing. CSE 0.1 left this step to the administrator."
    )

    @Argument(help: "config.yaml with an amqp section.")
    var config: String

    @OptionGroup var storeOptions: StoreOptions

    static func extensionSpec(_ amqp: AMQPConfig) -> ExtensionServiceSpec {
        ExtensionServiceSpec(name: "cse", namespace: "cse", exchange: amqp.exchange, routingKey: amqp.routingKey,
                             urlPatterns: ["/api/cluster", "/api/cluster/.*", "/api/cluster/.*/.*", "/api/template", "/api/template/.*"])
    }

    func run() async throws {
        var options = storeOptions
        options.config = config
        let loaded = try options.loadConfig()
        guard let amqp = loaded.amqp else { throw ValidationError("\(config) has no amqp section") }
        let store = try options.openStore(config: loaded, creating: true)
        let stateDirectory = ((store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("sim")
        let connection = try await VCDConnection.open(config: loaded, stateDirectory: stateDirectory, logger: CLILogging.logger(verbose: false))
        let outcome: VCDSession.RegistrationOutcome
        do {
            outcome = try await connection.session.registerExtension(Self.extensionSpec(amqp))
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        print("extension cse (exchange \(amqp.exchange), routing key \(amqp.routingKey)) \(outcome.rawValue) in \(connection.description)")
    }
}
