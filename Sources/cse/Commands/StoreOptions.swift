import ArgumentParser
import Foundation
import Spec
import Store

/// Where desired state lives: `--store` (an SQLite file), else config.yaml's `store.url` (PostgreSQL), else its
/// `store.path` (relative to the config file), else `.cse/store.sqlite` in the working directory.
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
        if store == nil, let url = resolved.store.url {
            return try openPostgres(url, config: resolved.store)
        }
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

extension StoreOptions {
    /// The PostgreSQL store of `store.url` (tables made or migrated on first use). Messages name it without a password.
    private func openPostgres(_ text: String, config: StoreConfig) throws -> DesiredStateStore {
        var url: PostgresURL
        do {
            url = try PostgresURL(parsing: text)
        } catch {
            throw CLIError("\(error)")
        }
        if let reference = config.password {
            do {
                url.password = try reference.resolve()
            } catch {
                throw CLIError("store.password: \(error)")
            }
        }
        do {
            return try DesiredStateStore(postgres: url, path: config.path)
        } catch let error as StoreError {
            throw CLIError("\(error)")
        } catch {
            throw CLIError("cannot open the store \(url.redacted): \(type(of: error))")
        }
    }
}

/// A command-line failure: printed as `Error: message`, exit 1, no usage hint.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
