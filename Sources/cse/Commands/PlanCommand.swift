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
        discussion: """
            With PATH, the specs are validated and compared as if applied (the store is not written); with --prune, \
            as `cse apply --prune` would apply them, deletions included. Objects with cse's metadata that this \
            installation does not own are listed as foreign or unclaimed; they are never changed.
            """
    )

    @Argument(help: "Spec file or directory (default: the desired state already in the store).")
    var path: String?

    @Flag(help: "Plan as `cse apply --prune`: admin objects missing from PATH are deleted.")
    var prune = false

    @Flag(help: "Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.")
    var detailedExitcode = false

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: PlanFormat = .text

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var deletion: DeletionOptions

    func validate() throws {
        if prune && path == nil { throw ValidationError("--prune needs PATH: the specs that remain") }
    }

    func run() async throws {
        let plan = try await Self.show(path: path, prune: prune, output: output, storeOptions: storeOptions, deletionGuard: deletion.deletionGuard)
        if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
    }

    /// Prints the plan for `path` (or the stored state) and returns it; shared with `cse apply --dry-run`.
    @discardableResult
    static func show(path: String?, prune: Bool, output: PlanFormat, storeOptions: StoreOptions,
                     deletionGuard: DeletionGuard) async throws -> Plan {
        let logger = CLILogging.logger(verbose: false)
        let context = try await ReconcileContext.open(storeOptions: storeOptions, deletionGuard: deletionGuard, logger: logger)
        let plan: Plan
        do {
            if let path {
                // With --prune the files are the whole truth (as in apply); without it, clusters may name stored templates.
                let known = prune ? [] : Set(try context.store.objects(kind: .template, includeDeleting: false).map(\.key.name))
                let specs = try Diagnostics.orExit { try SpecLoader(knownTemplates: known).load(path: path) }
                plan = try await context.reconciler.plan(overlaying: specs, prune: prune)
            } else {
                plan = try await context.reconciler.plan()
                // What it saw that is not ours, for `cse get` and `cse describe` (a read-only store just skips it).
                try? context.store.recordUnowned(plan.unowned.map { $0.entry(seenAt: Date()) })
            }
        } catch {
            await context.connection.close()
            throw error
        }
        await context.connection.close()
        switch output {
        case .text: print(PlanRenderer.text(plan), terminator: "")
        case .json: print(try Rendering.json(PlanJSON(plan)))
        }
        if let held = deletionGuard.explanation(plan) { Diagnostics.printError(held) }
        return plan
    }
}

enum PlanFormat: String, ExpressibleByArgument { case text, json }

/// A plan as JSON: each action with change, object, target, reason and waits; what is not ours; what the guard held.
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

    struct Unowned: Encodable {
        var kind: String
        var org: String
        var place: String
        var name: String
        var owner: String
        var claim: String
        var installation: String?
    }

    var actions: [Action]
    var unowned: [Unowned]
    var heldDeletions: [Action]
    var summary: [String: Int]

    init(_ plan: Plan) {
        let encode: (PlannedAction) -> Action = {
            Action(change: $0.change.rawValue, object: $0.object.description, target: $0.target, reason: $0.reason, waitsFor: $0.waitsFor,
                   uses: Dictionary($0.step.handles.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        actions = plan.actions.map(encode)
        heldDeletions = plan.heldDeletions.map(encode)
        unowned = plan.unowned.map { object in
            var installation: String?
            let claim: String
            switch object.claim {
            case .foreign(let id): (claim, installation) = ("foreign", id)
            case .unclaimed: claim = "unclaimed"
            }
            return Unowned(kind: object.kind.rawValue, org: object.org, place: object.place, name: object.name, owner: object.owner,
                           claim: claim, installation: installation)
        }
        summary = ["add": plan.resources(.create), "change": plan.resources(.update), "destroy": plan.resources(.destroy)]
    }
}
