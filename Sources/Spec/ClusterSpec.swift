/// A Kubernetes cluster in a tenant's vdc: one master and `nodes.count` workers (0 = single-node cluster).
public struct ClusterSpec: Hashable, Sendable, Codable {
    public var name: String
    public var org: String
    public var vdc: String
    public var template: String
    /// Org vdc network; nil = the first available network of the vdc.
    public var network: String?
    /// Unset fields take the template's master size.
    public var master: SizeOverride
    public var nodes: NodePool
    /// nil = the vdc's default storage profile (the seed's `*`).
    public var storageProfile: String?
    public var sshKey: String?

    public init(name: String, org: String, vdc: String, template: String, network: String? = nil,
                master: SizeOverride = SizeOverride(), nodes: NodePool, storageProfile: String? = nil, sshKey: String? = nil) {
        self.name = name
        self.org = org
        self.vdc = vdc
        self.template = template
        self.network = network
        self.master = master
        self.nodes = nodes
        self.storageProfile = storageProfile
        self.sshKey = sshKey
    }

    public static let maxNameLength = 21
    public static let nodeCountRange = 0...256
}

public struct NodePool: Hashable, Sendable, Codable {
    public var count: Int
    /// nil = the template's node size.
    public var cpu: Int?
    public var memoryMB: Int?

    public init(count: Int, cpu: Int? = nil, memoryMB: Int? = nil) {
        self.count = count
        self.cpu = cpu
        self.memoryMB = memoryMB
    }
}

/// VM size fields a cluster may set; nil = the template's default.
public struct SizeOverride: Hashable, Sendable, Codable {
    public var cpu: Int?
    public var memoryMB: Int?

    public init(cpu: Int? = nil, memoryMB: Int? = nil) {
        self.cpu = cpu
        self.memoryMB = memoryMB
    }

    public func resolved(defaults: VMResources) -> VMResources {
        VMResources(cpu: cpu ?? defaults.cpu, memoryMB: memoryMB ?? defaults.memoryMB)
    }
}
