import ArgumentParser
import Foundation
import Reconcile
import Spec
import Store

/// CSE 0.1's `cse install config.yaml`: the template of config.yaml's broker section becomes desired state
/// and is built now.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Build the template described in config.yaml's broker section (as CSE 0.1 did).",
        discussion: "Writes it as desired state (like a Template spec) and reconciles until it is in the catalog."
    )

    @Argument(help: "config.yaml with a broker section.")
    var config: String

    @Flag(help: "Keep the build vApp running for inspection instead of capturing it.")
    var noCapture = false

    @Option(help: "Seconds to wait.")
    var timeout = 3600

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        var options = storeOptions
        options.config = config
        let loaded = try options.loadConfig()
        guard var template = loaded.broker else { throw ValidationError("\(config) has no broker section") }
        if noCapture { template.build.capture = false }
        // vCD first: desired state is written only once cse could log in to the vCD it would build in.
        let context = try await ReconcileContext.open(storeOptions: options, creating: true, logger: CLILogging.logger(verbose: false))
        await context.connection.close()
        let (stored, outcome) = try context.store.put(.template(template), owner: .admin)
        print("\(stored.key) \(outcome.rawValue) generation \(stored.generation)")
        try await Reconciling.run(options, timeout: timeout)
    }
}

/// CSE 0.1's `cse uninstall config.yaml`: the broker section's template is deleted (kept while clusters use it).
struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Delete the template described in config.yaml's broker section from the catalog."
    )

    @Argument(help: "config.yaml with a broker section.")
    var config: String

    @Option(help: "Seconds to wait.")
    var timeout = 1800

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        var options = storeOptions
        options.config = config
        let loaded = try options.loadConfig()
        guard let template = loaded.broker else { throw ValidationError("\(config) has no broker section") }
        let store = try options.openStore(config: loaded)
        let key = ObjectKey(kind: .template, org: "", name: template.name)
        guard try store.object(key) != nil else {
            print("\(key) is not installed")
            return
        }
        let (stored, outcome) = try store.markDeleted(key)
        print("\(stored.key) \(outcome.rawValue)")
        try await Reconciling.run(options, timeout: timeout)
    }
}

/// Reconcile until converged after desired state was written (`cse apply`, `install`, `uninstall`); the exit code
/// tells how it ended: 0 converged, 1 an object failed, 3 timed out.
enum Reconciling {
    static func run(_ options: StoreOptions, deletionGuard: DeletionGuard = DeletionGuard(), timeout: Int, verbose: Bool = false) async throws {
        Watchdog.arm(timeout: timeout, command: "reconciling")
        // One process reconciles a store at a time: while `cse run` holds the store's lease, it does the work and
        // this command follows its progress; when the lease is free (or becomes free), this command reconciles.
        let store = try options.openStore(config: try options.loadConfig())
        let lease = LeaseKeeper(store: store, role: "cse apply")
        let deadline = ContinuousClock.now + .seconds(timeout)
        var fence: LeaseFence?
        switch try lease.tryAcquire() {
        case .taken(let taken): fence = taken
        case .heldBy(let holder):
            print("\(holder.holder) reconciles this store; following its progress")
            fflush(nil)  // before the unbuffered progress lines
            let printer = ProgressPrinter(interactive: isatty(STDOUT_FILENO) == 1)
            let followed = try await ProgressFollower.follow(store: store, timeout: deadline - .now) { printer.status($0) }
            printer.clear()
            switch followed {
            case .converged: return try finish(.converged, timeout: timeout)
            case .failed(let failures): return try finish(.failed(failures), timeout: timeout)
            case .timedOut: return try finish(.timedOut, timeout: timeout)
            case .leaseFree:
                fence = try await lease.acquire { print("waiting for \($0.holder), which holds this store's lease") }
            }
        }
        guard let fence else { throw ExitCode.failure }
        let renewing = lease.keepRenewing(fence)
        fence.onLost { refused in
            Diagnostics.printError("this command lost the store's lease (\(refused)); it stops reconciling")
        }
        defer {
            renewing.cancel()
            lease.release(fence)
        }
        let context = try await ReconcileContext.open(storeOptions: options, deletionGuard: deletionGuard, fence: fence,
                                                      logger: CLILogging.logger(verbose: verbose))
        print("Reconciling against \(context.connection.description)")
        fflush(nil)  // before the unbuffered progress lines
        // Held deletions would never converge: say so and stop before acting at all.
        let plan = try await context.reconciler.plan()
        if let held = deletionGuard.explanation(plan) {
            await context.close()
            Diagnostics.printError(PlanRenderer.held(plan) + held)
            throw ExitCode.failure
        }
        let outcome = try await Converge(context: context, timeout: max(.seconds(1), deadline - .now)).run()
        await context.close()
        try finish(outcome, timeout: timeout)
    }

    private static func finish(_ outcome: Reconciler.ConvergeOutcome, timeout: Int) throws {
        switch outcome {
        case .converged: print("Converged: vCD matches the desired state.")
        case .failed(let failures):
            Diagnostics.printError((["Failed:"] + failures.map { "  \($0)" }).joined(separator: "\n"))
            throw ExitCode.failure
        case .timedOut:
            Diagnostics.printError("Timed out after \(timeout) s; `cse describe` shows where each object stands.")
            throw ExitCode(3)
        }
    }
}
