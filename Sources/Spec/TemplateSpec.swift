/// A VM template that cse builds from a source OVA and publishes in a catalog (the seed's `broker` section).
public struct TemplateSpec: Hashable, Sendable, Codable {
    public var name: String
    public var labels: [String]
    public var os: OperatingSystem
    public var source: OVASource
    public var build: BuildSite
    /// Name of the captured template in the catalog (the seed's `master_template`, also its `node_template`).
    public var catalogItem: String
    /// Primary disk size in MB; 0 keeps the source OVA's size.
    public var diskSizeMB: Int
    public var versions: SoftwareVersions
    /// Defaults for clusters that do not size their VMs.
    public var master: VMResources
    public var node: VMResources
    public var adminSSHKey: String?
    /// Root password of the template and its VMs: a reference only.
    public var rootPassword: SecretReference

    public init(name: String, labels: [String], os: OperatingSystem, source: OVASource, build: BuildSite,
                catalogItem: String, diskSizeMB: Int, versions: SoftwareVersions, master: VMResources,
                node: VMResources, adminSSHKey: String?, rootPassword: SecretReference) {
        self.name = name
        self.labels = labels
        self.os = os
        self.source = source
        self.build = build
        self.catalogItem = catalogItem
        self.diskSizeMB = diskSizeMB
        self.versions = versions
        self.master = master
        self.node = node
        self.adminSSHKey = adminSSHKey
        self.rootPassword = rootPassword
    }
}

public struct OperatingSystem: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Family: String, Hashable, Sendable, Codable, CaseIterable { case ubuntu, photon }
    public var family: Family
    public var version: String

    public init(family: Family, version: String) {
        self.family = family
        self.version = version
    }

    /// Versions cse has scripts for.
    public static let supportedVersions: [Family: [String]] = [.ubuntu: ["16.04"], .photon: ["1.0", "2.0"]]

    public var description: String { "\(family.rawValue) \(version)" }
}

public struct OVASource: Hashable, Sendable, Codable {
    public var url: String
    public var sha1: String
    /// Name of the uploaded OVA in the catalog (the seed's `source_ova_name`).
    public var catalogItem: String

    public init(url: String, sha1: String, catalogItem: String) {
        self.url = url
        self.sha1 = sha1
        self.catalogItem = catalogItem
    }
}

public enum IPAllocationMode: String, Hashable, Sendable, Codable, CaseIterable { case dhcp, pool }

/// Where the template is built and published.
public struct BuildSite: Hashable, Sendable, Codable {
    public var org: String
    public var vdc: String
    public var network: String
    public var ipAllocationMode: IPAllocationMode
    public var catalog: String
    public var tempVApp: String
    /// Delete the temporary vApp once the template is captured.
    public var cleanup: Bool
    /// Capture the temporary vApp as the template; false keeps it running for inspection (`--no-capture`).
    public var capture: Bool
    public var storageProfile: String?

    public init(org: String, vdc: String, network: String, ipAllocationMode: IPAllocationMode, catalog: String,
                tempVApp: String, cleanup: Bool, capture: Bool, storageProfile: String?) {
        self.org = org
        self.vdc = vdc
        self.network = network
        self.ipAllocationMode = ipAllocationMode
        self.catalog = catalog
        self.tempVApp = tempVApp
        self.cleanup = cleanup
        self.capture = capture
        self.storageProfile = storageProfile
    }
}

public struct SoftwareVersions: Hashable, Sendable, Codable {
    public var kubernetes: String
    public var docker: String
    public var weave: String

    public init(kubernetes: String, docker: String, weave: String) {
        self.kubernetes = kubernetes
        self.docker = docker
        self.weave = weave
    }

    /// The seed's release table (CSE 0.1.3): what each OS shipped with.
    public static func defaults(for os: OperatingSystem) -> SoftwareVersions {
        switch os.family {
        case .ubuntu: return SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5")
        case .photon: return SoftwareVersions(kubernetes: "1.8.1", docker: "17.06.0-ce", weave: "2.0.5")
        }
    }
}

public struct VMResources: Hashable, Sendable, Codable {
    public var cpu: Int
    public var memoryMB: Int

    public init(cpu: Int, memoryMB: Int) {
        self.cpu = cpu
        self.memoryMB = memoryMB
    }

    public static let cpuRange = 1...64
    public static let memoryRange = 512...(1024 * 1024)
    public static let defaultMaster = VMResources(cpu: 2, memoryMB: 2048)
    public static let defaultNode = VMResources(cpu: 2, memoryMB: 2048)
}
