import Foundation
import Yams

/// The admin kubeconfig a master published, checked and pointed at the master's address for tenants
/// (`cse kubeconfig CLUSTER`). Errors name what is wrong, never the file's content.
public enum Kubeconfig {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notYAML
        case notAMapping
        case wrongField(String, expected: String)
        case missing(String)
        case badMasterAddress

        public var description: String {
            switch self {
            case .notYAML: return "the kubeconfig is not valid YAML"
            case .notAMapping: return "the kubeconfig is not a YAML mapping"
            case .wrongField(let field, let expected): return "the kubeconfig's \(field) is not \(expected)"
            case .missing(let what): return "the kubeconfig has no \(what)"
            case .badMasterAddress: return "the master's address is not an IP address"
            }
        }
    }

    public static let apiServerPort = 6443

    /// `text` checked (apiVersion v1, kind Config, clusters, users and contexts present and consistent) with every
    /// cluster's server set to `https://<masterIP>:6443`.
    public static func validated(_ text: String, masterIP: String) throws -> String {
        let server = try serverURL(masterIP: masterIP)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw Problem.notYAML }
            root = composed
        } catch let problem as Problem {
            throw problem
        } catch {
            // Yams' error quotes the document: keep it out.
            throw Problem.notYAML
        }
        guard var mapping = root.mapping else { throw Problem.notAMapping }
        try expect(mapping, "apiVersion", "v1")
        try expect(mapping, "kind", "Config")
        let clusterNames = try entryNames(mapping, "clusters", body: "cluster")
        let userNames = try entryNames(mapping, "users", body: "user")
        let contextNames = try entryNames(mapping, "contexts", body: "context")
        for context in mapping["contexts"]?.sequence ?? [] {
            guard let cluster = context["context"]?["cluster"]?.string, clusterNames.contains(cluster) else {
                throw Problem.missing("cluster for every context")
            }
            guard let user = context["context"]?["user"]?.string, userNames.contains(user) else {
                throw Problem.missing("user for every context")
            }
        }
        if let current = mapping["current-context"]?.string, !current.isEmpty, !contextNames.contains(current) {
            throw Problem.missing("context named by current-context")
        }
        mapping["clusters"] = try pointed(mapping["clusters"], at: server)
        do {
            return try Yams.serialize(node: .mapping(mapping))
        } catch {
            throw Problem.notYAML
        }
    }

    static func serverURL(masterIP: String) throws -> String {
        var ipv4 = in_addr(), ipv6 = in6_addr()
        if inet_pton(AF_INET, masterIP, &ipv4) == 1 { return "https://\(masterIP):\(apiServerPort)" }
        if inet_pton(AF_INET6, masterIP, &ipv6) == 1 { return "https://[\(masterIP)]:\(apiServerPort)" }
        throw Problem.badMasterAddress
    }

    private static func expect(_ mapping: Node.Mapping, _ field: String, _ value: String) throws {
        guard let actual = mapping[field]?.string else { throw Problem.missing(field) }
        guard actual == value else { throw Problem.wrongField(field, expected: value) }
    }

    /// Names of a non-empty list of `{name, <body>: {...}}` entries.
    private static func entryNames(_ mapping: Node.Mapping, _ list: String, body: String) throws -> Set<String> {
        guard let entries = mapping[list]?.sequence, !entries.isEmpty else { throw Problem.missing(list) }
        var names: Set<String> = []
        for entry in entries {
            guard let name = entry["name"]?.string, entry[body]?.mapping != nil else { throw Problem.missing("\(body) in every \(list) entry") }
            names.insert(name)
        }
        return names
    }

    private static func pointed(_ clusters: Node?, at server: String) throws -> Node {
        guard let list = clusters?.sequence else { throw Problem.missing("clusters") }
        var rewritten: [Node] = []
        for entry in list {
            guard var outer = entry.mapping, var cluster = outer["cluster"]?.mapping else { throw Problem.missing("cluster in every clusters entry") }
            cluster["server"] = Node(server)
            outer["cluster"] = .mapping(cluster)
            rewritten.append(.mapping(outer))
        }
        return .sequence(Node.Sequence(rewritten))
    }
}
