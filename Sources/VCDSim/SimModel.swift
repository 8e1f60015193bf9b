import Foundation

// The simulated cloud's entities. Plain Codable values: the whole state can be saved and reloaded.

struct SimOrg: Codable, Sendable {
    var id: String
    var name: String
    var fullName: String
    var isSystem: Bool { name.lowercased() == "system" }
}

enum SimRole: String, Codable, Sendable {
    case systemAdministrator = "System Administrator"
    case orgAdministrator = "Organization Administrator"
    case vAppUser = "vApp User"
}

struct SimUser: Codable, Sendable {
    var id: String
    var name: String
    var org: String
    var password: String
    var role: SimRole
}

struct SimStorageProfile: Codable, Sendable {
    var id: String
    var name: String
}

struct SimVdc: Codable, Sendable {
    var id: String
    var name: String
    var org: String
    var storageProfiles: [SimStorageProfile]
    var cpuLimitMHz: Int
    var memoryLimitMB: Int
}

struct SimNetwork: Codable, Sendable {
    var id: String
    var name: String
    var org: String
    var vdc: String
    var gateway: String
    var netmask: String
    var poolStart: String
    var poolEnd: String
    /// Address -> VM id holding it.
    var allocated: [String: String] = [:]
}

struct SimCatalog: Codable, Sendable {
    var id: String
    var name: String
    var org: String
    /// Published to every org (vCD's catalog publishing); only a published catalog's items may become other orgs' VMs.
    var published: Bool?
}

struct SimCatalogItem: Codable, Sendable {
    var id: String
    var name: String
    var description: String
    var catalog: String
    var template: String
    var createdAt: Date
}

struct SimTemplateVM: Codable, Sendable {
    var id: String
    var name: String
    var cpu: Int
    var memoryMB: Int
    var diskMB: Int
    var osType: String
    /// Set when captured from a VM whose template customization finished: cluster scripts need it.
    var isCustomized: Bool
    /// The image runs cloud-init (VMware datasource): it reads `guestinfo.userdata` and ignores customization scripts
    /// (open-vm-tools disables custom scripts by default). Optional so that older saved states still load.
    var hasCloudInit: Bool? = nil
    /// The captured VM's extra config: a capture is a vSphere clone, which keeps the .vmx settings (vmw:ExtraConfig
    /// entries are .vmx settings: vSphere Automation API, Ovf ExtraConfig), and VMs made from the template get them.
    var extraConfig: [String: String]? = nil
}

struct SimTemplate: Codable, Sendable {
    var id: String
    var name: String
    var org: String
    var vdc: String?
    var catalogItem: String
    var vms: [SimTemplateVM]
    /// 8 = resolved; 0 while an upload or capture is still importing.
    var status: Int
    var ovaSHA1: String?
    /// An upload's files as the template lists them (the descriptor first), with what has arrived of each.
    var uploadFiles: [SimUploadFile] = []
    /// Files the received descriptor references, listed from `filesListedAt` on (vCD lists them a while after).
    var announcedFiles: [SimUploadFile] = []
    var filesListedAt: Date?
}

/// One file of an upload (vcloud FileType): its size (-1 while unknown), the bytes received, and the SHA-1 of a
/// complete file (shown as the File's checksum).
struct SimUploadFile: Codable, Sendable {
    var name: String
    var size: Int
    var bytesTransferred: Int = 0
    var sha1: String?

    init(name: String, size: Int) {
        self.name = name
        self.size = size
    }

    var isComplete: Bool { size >= 0 && bytesTransferred >= size }
}

struct SimNetworkConfig: Codable, Sendable {
    var name: String
    var parentNetwork: String
}

struct SimVApp: Codable, Sendable {
    var id: String
    var name: String
    var description: String
    var org: String
    var vdc: String
    var owner: String
    var networks: [SimNetworkConfig]
    /// 0 while being created; otherwise derived from its VMs.
    var isResolved: Bool
    var deployed: Bool
    var createdAt: Date
}

struct SimGuestRun: Codable, Sendable {
    var role: String
    var startedAt: Date
    /// Phase the guest fails in (from a fault rule or a broken input), with the reason it reports.
    var failPhase: String?
    var failReason: String?
    /// Set for a guest that never reports (fault rule).
    var silent: Bool = false
    var finished: Bool = false
}

struct SimVM: Codable, Sendable {
    var id: String
    var name: String
    var vApp: String
    var org: String
    var vdc: String
    var cpu: Int
    var memoryMB: Int
    var diskMB: Int
    var osType: String
    var isCustomizedImage: Bool
    /// 4 = powered on, 8 = powered off.
    var status: Int
    var deployed: Bool
    var network: String?
    var ipMode: String
    var ipAddress: String?
    var mac: String
    var computerName: String
    var customizationScript: String?
    var adminPassword: String
    var storageProfile: String?
    var extraConfig: [String: String] = [:]
    var guest: SimGuestRun?
    /// Join tokens this VM (a master) issued, with their expiry.
    var issuedTokens: [String: Date] = [:]
    /// The sealing key (id and public key PEM) a master installed on its disk from its script (`JoinRefresh`), which
    /// its refresh timer keeps sealing with after its user data is gone.
    var installedSealingKey: [String]? = nil
    /// Set by the template customization when it finishes.
    var customizationDone: Bool = false
    /// Copied from the source image (see `SimTemplateVM.hasCloudInit`).
    var hasCloudInit: Bool? = nil
    /// vCD's VmCapabilities: CPU and memory may grow while the VM runs only when these are on (nil: off,
    /// vCD's default for a new VM).
    var cpuHotAddEnabled: Bool?
    /// The first power-on, which runs guest customization.
    var firstPoweredOnAt: Date?
    var memoryHotAddEnabled: Bool?
    /// The org and catalog of the template the VM was made from (for the audit's cross-org check).
    var sourceOrg: String?
    var sourceCatalog: String?
}

enum SimTaskStatus: String, Codable, Sendable {
    case queued, preRunning, running, success, error, canceled, aborted

    var isFinished: Bool { [.success, .error, .canceled, .aborted].contains(self) }
}

struct SimTask: Codable, Sendable {
    var id: String
    var operation: String
    var operationName: String
    var org: String
    var user: String
    /// The entity the task changes (its id and kind), for BUSY_ENTITY and the task's Owner link.
    var objectID: String
    var objectKind: SimEntityKind
    var objectName: String
    var status: SimTaskStatus
    var startedAt: Date
    var finishAt: Date?
    var endedAt: Date?
    var effect: SimEffect
    var errorMessage: String?
    var details: String = ""
    var progress: Int = 0
    /// Created by an API extension (ends when the extension says so, not by time).
    var isExtensionTask: Bool = false
    var willFail: Bool = false
}

enum SimEntityKind: String, Codable, Sendable {
    case org, vdc, network, catalog, catalogItem, vAppTemplate, vApp, vm, task, extensionService
}

struct SimSession: Codable, Sendable {
    /// How a token is presented: `x-vcloud-authorization` (legacy login only) or `Authorization: Bearer` (a JWT).
    enum Kind: String, Codable, Sendable { case legacy, bearer }

    var token: String
    var user: String
    var createdAt: Date
    var expiresAt: Date
    /// nil in state files written before bearer tokens: legacy.
    var kind: Kind?
    /// The login both tokens of one legacy login belong to (logging out ends both).
    var login: String?

    var tokenKind: Kind { kind ?? .legacy }
}

struct SimExtensionService: Codable, Sendable {
    var id: String
    var name: String
    var namespace: String
    var vendor: String
    var routingKey: String
    var exchange: String
    var priority: Int
    var enabled: Bool
    var isAuthorizationEnabled: Bool
    var urlPatterns: [String]
}
