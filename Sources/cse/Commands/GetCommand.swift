import ArgumentParser
import Foundation
import Spec
import Store
import Yams

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, yaml, json
}

enum ResourceType: String, ExpressibleByArgument, CaseIterable {
    case clusters, cluster, templates, template

    var kind: ObjectKind {
        switch self {
        case .clusters, .cluster: return .cluster
        case .templates, .template: return .template
        }
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List clusters or templates in desired state.")

    @Argument(help: "clusters or templates.")
    var resource: ResourceType

    @Option(name: .shortAndLong, help: "Output format: table, yaml or json.")
    var output: OutputFormat = .table

    @Option(help: "Only this org's clusters.")
    var org: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openStore()
        let objects = try store.objects(kind: resource.kind, org: org)
        let views = try objects.map { ObjectView($0, status: try store.status(of: $0.uid)) }
        switch output {
        case .json: print(try Rendering.json(views))
        // Spec documents `cse apply` accepts back (status as comments); JSON keeps metadata and status as fields.
        case .yaml: print(try SpecDocument.stream(objects, statuses: try objects.map { try store.status(of: $0.uid) }), terminator: "")
        case .table:
            print(resource.kind == .cluster ? Self.clusterTable(objects, views) : Self.templateTable(objects, views), terminator: "")
            let kinds = resource.kind == .cluster ? ["cluster vApp"] : ["build vApp", "catalog item"]
            let uids = Set(objects.map(\.uid))
            let unowned = try store.unowned().filter { kinds.contains($0.kind) && (org == nil || $0.org == org) && !uids.contains($0.owner) }
            print(UnownedView.table(unowned), terminator: "")
        }
    }

    static func clusterTable(_ objects: [StoredObject], _ views: [ObjectView]) -> String {
        guard !objects.isEmpty else { return "No clusters.\n" }
        let rows: [[String]] = zip(objects, views).map { object, view in
            guard case .cluster(let spec) = object.object else { return [] }
            let phase = object.isDeleting ? "Deleting" : view.status.phase
            return [spec.org, spec.name, spec.vdc, spec.template, "\(spec.nodes.count)", phase, "\(object.generation)",
                    object.owner.description, Timestamp.age(since: object.createdAt)]
        }
        return Table(header: ["ORG", "NAME", "VDC", "TEMPLATE", "NODES", "PHASE", "GENERATION", "OWNER", "AGE"], rows: rows).render()
    }

    static func templateTable(_ objects: [StoredObject], _ views: [ObjectView]) -> String {
        guard !objects.isEmpty else { return "No templates.\n" }
        let rows: [[String]] = zip(objects, views).map { object, view in
            guard case .template(let spec) = object.object else { return [] }
            let phase = object.isDeleting ? "Deleting" : view.status.phase
            return [spec.name, spec.os.description, spec.versions.kubernetes, "\(spec.build.org)/\(spec.build.catalog)/\(spec.catalogItem)",
                    phase, "\(object.generation)", Timestamp.age(since: object.createdAt)]
        }
        return Table(header: ["NAME", "OS", "KUBERNETES", "CATALOG ITEM", "PHASE", "GENERATION", "AGE"], rows: rows).render()
    }
}

enum Rendering {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func yaml<T: Encodable>(_ value: T) throws -> String {
        try YAMLEncoder().encode(value)
    }
}
