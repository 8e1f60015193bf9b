import ArgumentParser
import Foundation
import Logging
import Reconcile
import Spec
import Store

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what cse would change in vCD to match the specs, without changing anything.",
        discussion: "With PATH, the specs are validated and compared as if applied (the store is not written)."
    )

    @Argument(help: "Spec file or directory (default: the desired state already in the store).")
    var path: String?

    @Flag(help: "Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.")
    var detailedExitcode = false

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: PlanFormat = .text

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let logger = CLILogging.logger(verbose: false)
        let context = try await ReconcileContext.open(storeOptions: storeOptions, logger: logger)
        defer { Task { await context.connection.close() } }
        var plan: Plan
        if let path {
            let known = Set(try context.store.objects(kind: .template, includeDeleting: false).map(\.key.name))
            let specs = try Diagnostics.orExit { try SpecLoader(knownTemplates: known).load(path: path) }
            plan = try await context.reconciler.plan(overlaying: specs)
        } else {
            plan = try await context.reconciler.plan()
        }
        await context.connection.close()
        switch output {
        case .text: print(PlanRenderer.text(plan), terminator: "")
        case .json: print(try Rendering.json(PlanJSON(plan)))
        }
        if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
    }
}

enum PlanFormat: String, ExpressibleByArgument { case text, json }

/// A plan as JSON: each action with change, object, target, reason and waits.
struct PlanJSON: Encodable {
    struct Action: Encodable {
        var change: String
        var object: String
        var target: String
        var reason: String
        var waitsFor: [String]
        /// What the action acts on (hrefs, org/vdc/catalog, generation): what apply uses.
        var uses: [String: String]
    }

    var actions: [Action]
    var summary: [String: Int]

    init(_ plan: Plan) {
        actions = plan.actions.map {
            Action(change: $0.change.rawValue, object: $0.object.description, target: $0.target, reason: $0.reason, waitsFor: $0.waitsFor,
                   uses: Dictionary($0.step.handles.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        summary = ["add": plan.count(.create), "change": plan.count(.update), "destroy": plan.count(.destroy)]
    }
}
