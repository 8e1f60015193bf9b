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

/// The vCD work of an action, with the resolved handles it acts on (hrefs the observation found, the spec and
/// generation it serves): the executor looks nothing up by name, so what `cse plan` prints is what `apply` does.
public enum Step: Hashable, Sendable {
    case uploadSourceImage(org: String, catalog: String, item: String, url: String, sha1: String)
    case instantiateBuildVApp(TemplateBuild)
    case captureTemplate(TemplateBuild, buildVAppHref: String)
    case deleteTemplateItem(org: String, catalog: String, item: String, href: String)
    case createClusterVApp(ClusterCreation)
    case addVMs(VMAddition)
    case powerOnVM(vmHref: String)
    /// Records cse's metadata on an entity (a VM's role, a guest seen ready).
    case setMetadata(href: String, entries: [MetadataEntry])
    case reconfigureVM(vmHref: String, cpu: Int, memoryMB: Int)
    /// Guests that finished their bootstrap lose their user data (a node's held its join command), then get their marks;
    /// the join token nodes were given is revoked on the master once every node joined.
    case retireBootstrap(BootstrapRetirement)
    case removeVMs(vAppHref: String, vmHrefs: [String])
    case deleteVApp(href: String)
    /// Store-side: the object is gone from vCD, so its tombstone can go (run by the reconciler, not the vCD executor).
    case confirmDeleted(uid: String)

    /// Whether the step changes only the desired-state store.
    public var isStoreSide: Bool {
        if case .confirmDeleted = self { return true }
        return false
    }
}

/// What building one revision of a template needs.
public struct TemplateBuild: Hashable, Sendable {
    public var template: TemplateSpec
    public var revision: Int
    public var specHash: String
    /// The uploaded source OVA's catalog item in the build catalog, when the observation found it ready.
    public var sourceItemHref: String?

    public init(template: TemplateSpec, revision: Int, specHash: String, sourceItemHref: String? = nil) {
        self.template = template
        self.revision = revision
        self.specHash = specHash
        self.sourceItemHref = sourceItemHref
    }

    public var itemName: String { Naming.templateItem(template.catalogItem, revision: revision) }
}

/// A captured template revision in the template's own build org and catalog, as the observation found it.
public struct TemplateImage: Hashable, Sendable {
    public var org: String
    public var catalog: String
    public var itemName: String
    /// The catalog item.
    public var itemHref: String
    /// The vApp template the item holds (its VM is the source of cluster VMs).
    public var vAppTemplateHref: String

    public init(org: String, catalog: String, itemName: String, itemHref: String, vAppTemplateHref: String) {
        self.org = org
        self.catalog = catalog
        self.itemName = itemName
        self.itemHref = itemHref
        self.vAppTemplateHref = vAppTemplateHref
    }
}

/// The vApp a step acts on: one the observation found (by its href), or the one an earlier step of the same
/// plan creates (such a step waits for it and runs in a later pass, with the href).
public enum VAppHandle: Hashable, Sendable {
    case existing(href: String)
    case toBeCreated(org: String, vdc: String, name: String)

    public var href: String? {
        if case .existing(let href) = self { return href }
        return nil
    }
}

/// What creating a cluster's (empty) vApp needs; VMs follow as separate steps.
public struct ClusterCreation: Hashable, Sendable {
    public var uid: String
    public var spec: ClusterSpec
    public var specHash: String
    public var generation: Int
    /// The template revision the cluster's VMs come from (nil while no revision is ready: the step waits).
    public var template: TemplateImage?
    public var templateItem: String
}

/// Adding VMs to a cluster's vApp: everything the executor needs, resolved by the diff.
public struct VMAddition: Hashable, Sendable {
    public var vApp: VAppHandle
    public var clusterUID: String
    public var spec: ClusterSpec
    public var generation: Int
    public var templateSpec: TemplateSpec
    /// nil while no revision of the template is ready (the step waits for one).
    public var template: TemplateImage?
    public var templateItem: String
    public var vms: [VMRequest]
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

/// What ends the bootstrap of a cluster's ready VMs (`Step.retireBootstrap`).
public struct BootstrapRetirement: Hashable, Sendable {
    public struct VM: Hashable, Sendable {
        public var name: String
        public var href: String
        /// The VM still has user data (cloud-init images); a node on an image without cloud-init has none to clear.
        public var clearsUserData: Bool
        /// Marks written once its user data is gone (the guest-ready mark, and role marks on an untagged VM).
        public var marks: [MetadataEntry]
    }

    public var vms: [VM]
    /// Set when every node of the cluster joined: the newest token the master published (and so the newest handed out).
    public var revocation: JoinRevocation?
}

/// Asks a master to revoke a join token and every one it issued before (`GuestContract.joinRevokeKey`).
public struct JoinRevocation: Hashable, Sendable {
    public var masterHref: String
    public var tokenID: String
}
