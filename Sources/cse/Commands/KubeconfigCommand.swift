import ArgumentParser
import Foundation
import Store

struct KubeconfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig",
        abstract: "Print a cluster's admin kubeconfig (read from its master through vCD).",
        discussion: "The kubeconfig holds the cluster's admin credentials: it goes to stdout only, never to logs."
    )

    @Argument(help: "Cluster name.")
    var cluster: String

    @Option(help: "The cluster's org (needed when the name is used in more than one org).")
    var org: String?

    @OptionGroup var storeOptions: StoreOptions

    /// The local account that ran the command.
    static var localUser: String {
        ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "uid \(getuid())"
    }

    func run() async throws {
        let store = try storeOptions.openStore()
        let matches = try store.objects(kind: .cluster, org: org, includeDeleting: false).filter { $0.key.name == cluster }
        guard let object = matches.first else { throw ValidationError("no cluster named \(cluster)\(org.map { " in org \($0)" } ?? "")") }
        guard matches.count == 1 else {
            throw ValidationError("clusters named \(cluster) exist in orgs \(matches.map(\.key.org).joined(separator: ", ")); pass --org")
        }
        let context = try await ReconcileContext.open(storeOptions: storeOptions, logger: CLILogging.logger(verbose: false))
        defer { Task { await context.connection.close() } }
        do {
            let text = try await VCDKubeconfigs(session: context.connection.session, keys: context.keys).kubeconfig(for: object, status: try store.status(of: object.uid))
            // One of the two ways the admin credentials leave cse (with the tenant API): recorded, who and when.
            _ = try store.recordEvent(for: object, reason: "KubeconfigRead", message: "admin kubeconfig read by \(Self.localUser) (cse kubeconfig)")
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        } catch {
            Diagnostics.printError("\(error)")
            await context.connection.close()
            throw ExitCode.failure
        }
        await context.connection.close()
    }
}
