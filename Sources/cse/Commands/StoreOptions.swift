import ArgumentParser
import Foundation
import Spec
import Store

/// Where desired state lives: `--store`, else config.yaml's `store.path`, else `.cse/store.sqlite`.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "config.yaml with vcd, amqp, store and service settings (default: $CSE_CONFIG if set).")
    var config: String?

    @Option(name: .long, help: "SQLite file of desired state (default: config's store.path, else .cse/store.sqlite).")
    var store: String?

    func loadConfig() throws -> ServiceConfig {
        guard let path = config ?? ProcessInfo.processInfo.environment["CSE_CONFIG"] else { return ServiceConfig() }
        return try Diagnostics.orExit { try ConfigLoader.load(path: path) }
    }

    func openStore(config: ServiceConfig? = nil) throws -> DesiredStateStore {
        let resolved = try config ?? loadConfig()
        return try DesiredStateStore(path: store ?? resolved.store.path)
    }
}
