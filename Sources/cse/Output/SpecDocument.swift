import Spec
import Store

/// A stored object as the spec file `cse apply` accepts (`cse get -o yaml`): apiVersion, kind, metadata (name,
/// org) and spec with the parser's keys; where it stands is added as comments, which the parser ignores.
struct SpecDocument: Encodable {
    struct Metadata: Encodable {
        var name: String
        var org: String?
    }

    struct OS: Encodable {
        var name: String
        var version: String
    }

    struct TemplateBody: Encodable {
        var os: OS
        var labels: [String]
        var source: OVASource
        var build: BuildSite
        var catalogItem: String
        var diskSizeMB: Int
        var versions: SoftwareVersions
        var master: VMResources
        var node: VMResources
        var adminSSHKey: String?
        var rootPassword: SecretReference
    }

    struct ClusterBody: Encodable {
        var vdc: String
        var template: String
        var network: String?
        var master: SizeOverride?
        var nodes: NodePool
        var storageProfile: String?
        var sshKey: String?
    }

    enum Body: Encodable {
        case template(TemplateBody)
        case cluster(ClusterBody)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .template(let body): try body.encode(to: encoder)
            case .cluster(let body): try body.encode(to: encoder)
            }
        }
    }

    var apiVersion = "cse/v1"
    var kind: String
    var metadata: Metadata
    var spec: Body

    init(_ object: DesiredObject) {
        kind = object.kind.rawValue
        switch object {
        case .template(let spec):
            metadata = Metadata(name: spec.name)
            self.spec = .template(TemplateBody(
                os: OS(name: spec.os.family.rawValue, version: spec.os.version), labels: spec.labels, source: spec.source, build: spec.build,
                catalogItem: spec.catalogItem, diskSizeMB: spec.diskSizeMB, versions: spec.versions, master: spec.master, node: spec.node,
                adminSSHKey: spec.adminSSHKey, rootPassword: spec.rootPassword))
        case .cluster(let spec):
            metadata = Metadata(name: spec.name, org: spec.org)
            self.spec = .cluster(ClusterBody(
                vdc: spec.vdc, template: spec.template, network: spec.network,
                master: spec.master.cpu == nil && spec.master.memoryMB == nil ? nil : spec.master, nodes: spec.nodes,
                storageProfile: spec.storageProfile, sshKey: spec.sshKey))
        }
    }

    /// Every object as one YAML stream of spec documents, each preceded by comments saying where it stands.
    static func stream(_ objects: [StoredObject], statuses: [ObjectStatus]) throws -> String {
        try zip(objects, statuses).map { object, status in
            var text = "# \(object.key): generation \(object.generation), \(object.isDeleting ? "Deleting" : status.phase.rawValue)"
            text += ", owner \(object.owner), uid \(object.uid)\n"
            if let error = status.lastError { text += "# last error: \(error.split(separator: "\n").joined(separator: " "))\n" }
            return text + (try Rendering.yaml(SpecDocument(object.object)))
        }.joined(separator: "---\n")
    }
}
