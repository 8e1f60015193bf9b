import Observe
import Spec

/// One change the executor makes in vCD, with why it is needed and what it waits for.
public struct PlannedAction: Hashable, Sendable {
    public enum Change: String, Hashable, Sendable, Codable {
        case create, update, destroy

        public var symbol: String {
            switch self {
            case .create: return "+"
            case .update: return "~"
            case .destroy: return "-"
            }
        }
    }

    public var step: Step
    /// The desired object this serves (for an orphan, the identity its metadata names).
    public var object: ObjectKey
    public var change: Change
    /// What is changed, as people name it: "vApp demo", "VM demo-n2", "catalog item k8s-u-r1".
    public var target: String
    public var reason: String
    /// Conditions that must hold before the step may run; empty = runnable now.
    public var waitsFor: [String]
    /// Steps with the same lane run one at a time (vCD allows one change per vApp: BUSY_ENTITY).
    public var lane: String

    public var isRunnable: Bool { waitsFor.isEmpty }
}

/// The vCD work of an action, with everything the executor needs to do it.
public enum Step: Hashable, Sendable {
    case uploadSourceImage(org: String, catalog: String, item: String, url: String, sha1: String)
    case instantiateBuildVApp(TemplateBuild)
    case captureTemplate(TemplateBuild, buildVAppHref: String)
    case deleteTemplateItem(org: String, catalog: String, item: String, href: String)
    case createClusterVApp(ClusterCreation)
    case addVMs(vAppHref: String, cluster: String, vms: [VMRequest], templateItem: String)
    case powerOnVM(vmHref: String)
    /// Records cse's metadata on an entity (a VM's role, a guest seen ready).
    case setMetadata(href: String, entries: [MetadataEntry])
    case reconfigureVM(vmHref: String, cpu: Int, memoryMB: Int)
    case removeVMs(vAppHref: String, vmHrefs: [String])
    case deleteVApp(href: String)
    /// Store-side: the object is gone from vCD, so its tombstone can go.
    case confirmDeleted(uid: String)
}

/// What building one revision of a template needs.
public struct TemplateBuild: Hashable, Sendable {
    public var template: TemplateSpec
    public var revision: Int
    public var specHash: String

    public var itemName: String { Naming.templateItem(template.catalogItem, revision: revision) }
}

/// What creating a cluster's (empty) vApp needs; VMs follow as separate steps.
public struct ClusterCreation: Hashable, Sendable {
    public var uid: String
    public var spec: ClusterSpec
    public var specHash: String
    public var generation: Int
    public var templateItem: String
}

public struct VMRequest: Hashable, Sendable {
    public var name: String
    public var role: Naming.Role
    public var size: VMResources
}

public struct MetadataEntry: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
