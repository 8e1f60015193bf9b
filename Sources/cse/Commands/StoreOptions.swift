import ArgumentParser
import Foundation
import Spec
import Store

/// Where desired state lives: `--store`, else config.yaml's `store.path` (relative to the config file), else
/// `.cse/store.sqlite` in the working directory.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "config.yaml with vcd, amqp, store and service settings (default: $CSE_CONFIG if set).")
    var config: String?

    @Option(name: .long, help: "SQLite file of desired state (default: config's store.path, else .cse/store.sqlite).")
    var store: String?

    func loadConfig() throws -> ServiceConfig {
        guard let path = config ?? ProcessInfo.processInfo.environment["CSE_CONFIG"] else { return ServiceConfig() }
        return try Diagnostics.orExit { try ConfigLoader.load(path: path) }
    }

    /// Opens the store. Only commands that write desired state (`creating`) make a missing one, and say so; the
    /// others refuse, naming the path (a `--store` typo must not look like an empty cloud).
    func openStore(config: ServiceConfig? = nil, creating: Bool = false) throws -> DesiredStateStore {
        let resolved = try config ?? loadConfig()
        let path = store ?? resolved.store.path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !creating {
            throw CLIError("no store at \(path): `cse apply` or `cse run` creates one; check --store, --config or store.path")
        }
        let opened: DesiredStateStore
        do {
            opened = try DesiredStateStore(path: path)
        } catch let error as StoreError {
            throw CLIError("\(error)")
        } catch {
            throw CLIError("cannot open the store \(path): \(error). Check that it is a cse store and that its folder is writable.")
        }
        if !exists {
            let id = (try? opened.installationID()) ?? "?"
            FileHandle.standardError.write(Data("Created a new store at \(path) (installation \(id)).\n".utf8))
        }
        return opened
    }
}

/// A command-line failure: printed as `Error: message`, exit 1, no usage hint.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
