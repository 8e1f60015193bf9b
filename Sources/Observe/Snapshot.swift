import Foundation
import Bootstrap

/// What vCD holds of cse's objects at one moment: an immutable value made by one observation.
/// Only objects carrying cse's metadata appear; everything else in vCD is invisible to the reconciler.
public struct Snapshot: Hashable, Sendable {
    /// When the observation began: anything that ended after this may be missing from the snapshot.
    public var startedAt: Date
    public var takenAt: Date
    public var templates: [ObservedTemplate]
    public var sourceImages: [ObservedSourceImage]
    public var buildVApps: [ObservedVApp]
    public var clusters: [ObservedVApp]
    /// Cluster ids whose claimants failed validation (`MarkValidator`): nothing is created, used or destroyed for them.
    public var conflictedClusterIDs: Set<String> = []
    /// Tampered, misplaced and conflicting marks the observer set aside.
    public var markFindings: [MarkFinding] = []

    public init(startedAt: Date? = nil, takenAt: Date = Date(), templates: [ObservedTemplate] = [], sourceImages: [ObservedSourceImage] = [],
                buildVApps: [ObservedVApp] = [], clusters: [ObservedVApp] = []) {
        self.startedAt = startedAt ?? takenAt
        self.takenAt = takenAt
        self.templates = templates
        self.sourceImages = sourceImages
        self.buildVApps = buildVApps
        self.clusters = clusters
    }
}

/// A captured template in a catalog, recognised by its catalog-item metadata.
public struct ObservedTemplate: Hashable, Sendable {
    /// The template spec's name.
    public var name: String
    public var revision: Int
    public var specHash: String
    public var org: String
    public var catalog: String
    public var itemName: String
    public var href: String
    /// The vApp template the item holds (the query record's `entity`); nil when vCD did not name it.
    public var vAppTemplateHref: String?
    /// Resolved (usable); false while a capture or upload is still importing.
    public var isReady: Bool
    /// The installation identity cse recorded on the item; nil when none is recorded.
    public var installation: String?

    public init(name: String, revision: Int, specHash: String, org: String, catalog: String, itemName: String, href: String,
                vAppTemplateHref: String? = nil, isReady: Bool, installation: String? = nil) {
        self.vAppTemplateHref = vAppTemplateHref
        self.installation = installation
        self.name = name
        self.revision = revision
        self.specHash = specHash
        self.org = org
        self.catalog = catalog
        self.itemName = itemName
        self.href = href
        self.isReady = isReady
    }
}

/// An uploaded source OVA, found by catalog and item name.
public struct ObservedSourceImage: Hashable, Sendable {
    public var org: String
    public var catalog: String
    public var itemName: String
    public var sha1: String?
    public var href: String
    public var isReady: Bool

    public init(org: String, catalog: String, itemName: String, sha1: String?, href: String, isReady: Bool) {
        self.org = org
        self.catalog = catalog
        self.itemName = itemName
        self.sha1 = sha1
        self.href = href
        self.isReady = isReady
    }
}

/// A vApp cse made: a cluster, or the temporary vApp a template is built in.
public struct ObservedVApp: Hashable, Sendable {
    public var name: String
    public var href: String
    public var org: String
    public var vdc: String
    /// Whose vApp this is: the desired object's uid (clusters) or template name (builds).
    public var owner: String
    /// Hash of the spec the vApp was made for.
    public var specHash: String
    /// Template revision (builds) or the template catalog item the cluster was made from.
    public var templateItem: String
    public var network: String?
    /// A vCD task runs on the vApp or one of its VMs: vCD refuses other changes (BUSY_ENTITY) until it ends.
    public var isBusy: Bool
    public var vms: [ObservedVM]
    /// The installation identity cse recorded on the vApp; nil when none is recorded.
    public var installation: String?

    public init(name: String, href: String, org: String, vdc: String, owner: String, specHash: String, templateItem: String,
                network: String? = nil, isBusy: Bool = false, vms: [ObservedVM] = [], installation: String? = nil) {
        self.installation = installation
        self.name = name
        self.href = href
        self.org = org
        self.vdc = vdc
        self.owner = owner
        self.specHash = specHash
        self.templateItem = templateItem
        self.network = network
        self.isBusy = isBusy
        self.vms = vms
    }
}

public struct ObservedVM: Hashable, Sendable {
    /// `unknown`: vCD did not say (no status, UNKNOWN, UNRECOGNIZED); never acted on. `other`: a state in between
    /// (being created, suspended, inconsistent) that a power-on does not fix on a guess either.
    public enum PowerState: String, Hashable, Sendable { case poweredOn, poweredOff, other, unknown }

    public var name: String
    public var href: String
    public var powerState: PowerState
    public var ipAddress: String?
    /// nil when neither the query record nor the VM's document said (unknown is not zero: never acted on).
    public var cpu: Int?
    public var memoryMB: Int?
    public var guest: GuestProgress
    public var isBusy: Bool
    /// cse's role metadata is on the VM (missing after a crash between adding and tagging it).
    public var isTagged: Bool
    /// cse has recorded the guest's bootstrap as done in the VM's metadata.
    public var isMarkedReady: Bool
    /// What the VM's extra config shows of its bootstrap secrets; nil fields were not read (a VM marked ready is read
    /// only when it is a master).
    public var bootstrapSecrets: BootstrapSecrets

    public init(name: String, href: String, powerState: PowerState, ipAddress: String? = nil, cpu: Int?, memoryMB: Int?,
                guest: GuestProgress = .notStarted, isBusy: Bool = false, isTagged: Bool = true, isMarkedReady: Bool? = nil,
                bootstrapSecrets: BootstrapSecrets = BootstrapSecrets()) {
        self.name = name
        self.href = href
        self.powerState = powerState
        self.ipAddress = ipAddress
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.guest = guest
        self.isBusy = isBusy
        self.isTagged = isTagged
        self.isMarkedReady = isMarkedReady ?? (guest == .ready)
        self.bootstrapSecrets = bootstrapSecrets
    }
}

/// What a VM's extra config shows of the secrets of its bootstrap (none of them secret itself).
public struct BootstrapSecrets: Hashable, Sendable {
    /// Whether `guestinfo.userdata` still holds user data; nil when the extra config was not read.
    public var hasUserData: Bool?
    /// A master's published join token id (the public half), and the id cse asked it to revoke.
    public var publishedJoinTokenID: String?
    public var revokedJoinTokenID: String?

    public init(hasUserData: Bool? = nil, publishedJoinTokenID: String? = nil, revokedJoinTokenID: String? = nil) {
        self.hasUserData = hasUserData
        self.publishedJoinTokenID = publishedJoinTokenID
        self.revokedJoinTokenID = revokedJoinTokenID
    }

    public init(extraConfig: [String: String]) {
        self.init(hasUserData: CloudInitUserData.hasUserData(extraConfig),
                  publishedJoinTokenID: extraConfig[GuestContract.joinTokenIDKey].flatMap { $0.isEmpty ? nil : $0 },
                  revokedJoinTokenID: extraConfig[GuestContract.joinRevokeKey].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// How far a guest's bootstrap went, as it reports through guestinfo.
public enum GuestProgress: Hashable, Sendable {
    case notStarted
    case running(phase: String)
    case ready
    case failed(phase: String, reason: String)
}
