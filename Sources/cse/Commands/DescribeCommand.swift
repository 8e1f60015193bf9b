import ArgumentParser
import Foundation
import Spec
import Store

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show a cluster's or template's spec, status and events.")

    @Argument(help: "cluster or template.")
    var resource: ResourceType

    @Argument(help: "Its name.")
    var name: String

    @Option(help: "The cluster's org (needed when the name exists in several orgs).")
    var org: String?

    @Option(help: "How many of the newest events to show.")
    var events = 20

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openStore()
        let object: StoredObject
        do {
            object = try Self.find(resource.kind, name: name, org: org, in: store)
        } catch let error as CLIError {
            // Not ours, but in vCD with cse's metadata: say whose it is instead of a bare "not found".
            let unowned = try store.unowned().filter { $0.name == name && (org == nil || $0.org == org) && $0.kind != "catalog item" }
            guard !unowned.isEmpty else { throw error }
            print(unowned.map(UnownedView.describe).joined(separator: "\n"), terminator: "")
            return
        }
        let status = try store.status(of: object.uid)
        print(try Self.render(object, status: status, events: try store.events(of: object.uid, limit: events)), terminator: "")
    }

    static func find(_ kind: ObjectKind, name: String, org: String?, in store: DesiredStateStore) throws -> StoredObject {
        let matches = try store.objects(kind: kind, org: kind == .template ? "" : org).filter { $0.key.name == name }
        guard let first = matches.first else {
            throw CLIError("\(kind.rawValue.lowercased()) '\(name)' not found\(org.map { " in org '\($0)'" } ?? "")")
        }
        guard matches.count == 1 else {
            let orgs = matches.map(\.key.org).joined(separator: ", ")
            throw CLIError("\(kind.rawValue.lowercased()) '\(name)' exists in several orgs (\(orgs)); pass --org")
        }
        return first
    }

    static func render(_ object: StoredObject, status: ObjectStatus, events: [ObjectEvent]) throws -> String {
        var text = ""
        let field = { (label: String, value: String) in text += "\(label):".padding(toLength: 21, withPad: " ", startingAt: 0) + value + "\n" }
        field("Name", object.key.name)
        if !object.key.org.isEmpty { field("Org", object.key.org) }
        field("Kind", object.key.kind.rawValue)
        field("UID", object.uid)
        field("Generation", "\(object.generation)")
        field("Owner", object.owner.description)
        field("Created", Timestamp.format(object.createdAt))
        field("Updated", Timestamp.format(object.updatedAt))
        if let deletion = object.deletionRequestedAt { field("Deletion requested", Timestamp.format(deletion)) }
        text += "Spec:\n" + indent(try Rendering.yaml(SpecView(object.object)))
        text += "Status:\n"
        let phase = object.isDeleting && status.phase != .deleting ? "\(status.phase.rawValue) (deletion pending)" : status.phase.rawValue
        text += "  Phase:               \(phase)\n"
        text += "  Observed generation: \(status.observedGeneration)\n"
        if let error = status.lastError { text += "  Last error:          \(error)\n" }
        text += "  Last reconcile:      \(status.lastReconcileAt.map(Timestamp.format) ?? "never")\n"
        if status.conditions.isEmpty {
            text += "Conditions:            none\n"
        } else {
            text += "Conditions:\n" + indent(Table(header: ["TYPE", "STATUS", "REASON", "MESSAGE"],
                                                   rows: status.conditions.map { [$0.type, $0.status.rawValue, $0.reason, $0.message] }).render())
        }
        if events.isEmpty {
            text += "Events:                none\n"
        } else {
            text += "Events:\n" + indent(Table(header: ["TIME", "TYPE", "REASON", "MESSAGE"],
                                               rows: events.map { [Timestamp.format($0.at), $0.type.rawValue, $0.reason, $0.message] }).render())
        }
        return text
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  \($0)" }.joined(separator: "\n") + "\n"
    }
}
