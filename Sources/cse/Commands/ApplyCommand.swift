import ArgumentParser
import Foundation
import Reconcile
import Spec
import Store

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Load and validate specs, then write them as desired state.",
        discussion: """
            Reads every *.yaml / *.yml file below PATH (or the file PATH). If any spec is invalid, every problem is \
            printed as file:line:column and nothing is written. Otherwise all specs are written in one transaction \
            and the changes are listed: created, updated, restored, unchanged, pruned. Then cse observes vCD (the \
            configured one, or the embedded simulator), plans and acts until vCD matches, and exits 0 when it does, \
            1 when an object failed, 3 on timeout.
            """
    )

    @Argument(help: "Spec file or directory.")
    var path: String

    @Flag(help: "Mark admin-applied objects that are no longer in PATH for deletion.")
    var prune = false

    @Flag(help: "Only show the plan (as `cse plan`): write nothing, change nothing.")
    var dryRun = false

    @Flag(help: "Write desired state only; leave the work to `cse run`.")
    var noWait = false

    @Option(help: "Seconds to wait for vCD to match before giving up.")
    var timeout = 1800

    @Flag(name: .shortAndLong, help: "Log vCD requests and reconciler decisions to stderr.")
    var verbose = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var deletion: DeletionOptions

    func run() async throws {
        if dryRun {
            // Exactly what apply would do (deletions included with --prune); nothing is written.
            try await PlanCommand.show(path: path, prune: prune, output: .text, storeOptions: storeOptions, deletionGuard: deletion.deletionGuard)
            return
        }
        let store = try storeOptions.openStore(creating: true)
        // With --prune the files are the whole truth; without it, clusters may name templates already stored.
        let known = prune ? [] : Set(try store.objects(kind: .template, includeDeleting: false).map(\.key.name))
        let specs = try Diagnostics.orExit { try SpecLoader(knownTemplates: known).load(path: path) }
        if !noWait { try Self.requireSecrets(of: specs) }
        if prune {
            // The deletion guard, before anything is written: a prune of most of the fleet is refused here, whoever reconciles.
            let clusters = try store.objects(kind: .cluster)
            let wanted = Set(specs.objects.map(\.object.key))
            let pruned = clusters.filter { $0.owner == .admin && !$0.isDeleting && !wanted.contains($0.key) }.count
            let deletionGuard = deletion.deletionGuard
            if deletionGuard.refuses(deletions: pruned, fleet: clusters.count) {
                Diagnostics.printError("Error: " + deletionGuard.refusal(deletions: pruned, fleet: clusters.count))
                throw ExitCode.failure
            }
        }
        let report = try store.apply(specs, prune: prune)
        print(ApplyReportView(report: report).render(), terminator: "")
        // Progress lines are written unbuffered: the summary goes out first, even into a pipe cut by Ctrl-C.
        fflush(nil)
        guard !noWait else { return }
        try await Reconciling.run(storeOptions, deletionGuard: deletion.deletionGuard, timeout: timeout, verbose: verbose)
    }
}

extension ApplyCommand {
    /// This process builds the templates itself: a secret it cannot read stops it before anything is written or changed
    /// in vCD. (With --no-wait the service reads them, from its own environment.)
    static func requireSecrets(of specs: SpecSet) throws {
        var problems: [String] = []
        for template in specs.templates {
            do {
                _ = try template.rootPassword.resolve()
            } catch {
                problems.append("template \(template.name): rootPassword: \(error)")
            }
        }
        guard !problems.isEmpty else { return }
        Diagnostics.printError(problems.joined(separator: "\n") + "\nnothing was written.")
        throw ExitCode.failure
    }
}

/// The lines `cse apply` prints about desired state.
struct ApplyReportView {
    let report: ApplyReport

    func render() -> String {
        var lines: [[String]] = report.entries.map { entry in
            let outcome = entry.outcome == .deleted ? "pruned" : entry.outcome.rawValue
            return [entry.key.description, outcome, "generation \(entry.generation)"]
        }
        lines += report.notInSpecs.map { [$0.description, "not in specs", "kept (use --prune to delete)"] }
        var text = Table(rows: lines).render()
        let summary = [
            "\(report.count(.created)) created", "\(report.count(.updated)) updated", "\(report.count(.restored)) restored",
            "\(report.count(.unchanged)) unchanged", "\(report.count(.deleted)) pruned",
        ]
        text += "Desired state: \(summary.joined(separator: ", ")).\n"
        return text
    }
}
