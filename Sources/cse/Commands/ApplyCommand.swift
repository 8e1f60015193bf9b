import ArgumentParser
import Spec
import Store

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Load and validate specs, then write them as desired state.",
        discussion: """
            Reads every *.yaml / *.yml file below PATH (or the file PATH). If any spec is invalid, every problem is \
            printed as file:line:column and nothing is written. Otherwise all specs are written in one transaction \
            and the changes are listed: created, updated, restored, unchanged, pruned.
            """
    )

    @Argument(help: "Spec file or directory.")
    var path: String

    @Flag(help: "Mark admin-applied objects that are no longer in PATH for deletion.")
    var prune = false

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openStore()
        // With --prune the files are the whole truth; without it, clusters may name templates already stored.
        let known = prune ? [] : Set(try store.objects(kind: .template, includeDeleting: false).map(\.key.name))
        let specs = try Diagnostics.orExit { try SpecLoader(knownTemplates: known).load(path: path) }
        let report = try store.apply(specs, prune: prune)
        print(ApplyReportView(report: report).render(), terminator: "")
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
