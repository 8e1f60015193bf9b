import ArgumentParser
import Foundation
import GuestSecrets
import Store

/// The installation's key pairs, which masters seal their join command and kubeconfig to. Private keys are never
/// printed; the commands show ids only.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "The installation's sealing keys (beside the store): list, rotate, prune.",
        subcommands: [KeysListCommand.self, KeysRotateCommand.self, KeysPruneCommand.self]
    )
}

extension StoreOptions {
    func openKeys() throws -> InstallationKeys {
        let path = try store ?? loadConfig().store.path
        return try InstallationKeys.openOrCreate(directory: InstallationKeys.directory(forStore: path))
    }
}

struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Key ids; `*` marks the one new masters get.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let keys = try storeOptions.openKeys()
        for id in keys.all.keys.sorted() { print("\(id == keys.current.id ? "*" : " ") \(id)") }
    }
}

struct KeysRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Add a key pair and make it current: masters created from now on seal to it. Older keys stay (see `cse keys prune`)."
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let keys = try storeOptions.openKeys().rotated()
        print("current key \(keys.current.id) (\(keys.all.count) keys held)")
    }
}

struct KeysPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove keys no cluster's master seals to any more (read through vCD); nothing is removed when a master cannot be read."
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.openStore()
        let context = try await ReconcileContext.open(storeOptions: storeOptions, logger: CLILogging.logger(verbose: false))
        var used: Set<String> = []
        do {
            for cluster in try store.objects(kind: .cluster, org: nil, includeDeleting: true) {
                let status = try store.status(of: cluster.uid)
                // No vApp or no master VM yet: a master made from now on gets the current key, which is never removed.
                guard status.observed?.vAppHref != nil, status.observed?.masterName != nil else { continue }
                let ids = try await VCDKubeconfigs(session: context.connection.session, keys: context.keys).sealingKeyIDs(for: cluster, status: status)
                // A master that has not published yet may seal to any key its script carries: keep them all.
                guard !ids.isEmpty else { throw KubeconfigUnavailable("the master of cluster \(cluster.key.name) has published nothing yet") }
                used.formUnion(ids)
            }
        } catch {
            await context.connection.close()
            Diagnostics.printError("cannot tell which keys are in use, nothing removed: \(error)")
            throw ExitCode.failure
        }
        await context.connection.close()
        let removed = try context.keys.removingUnused(keeping: used)
        print(removed.isEmpty ? "no unused key" : "removed \(removed.joined(separator: ", "))")
    }
}
