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
    /// Where packages, images and manifests come from when not from the public sources (air-gapped clouds).
    public var packages: PackageSources

    public init(name: String, labels: [String], os: OperatingSystem, source: OVASource, build: BuildSite,
                catalogItem: String, diskSizeMB: Int, versions: SoftwareVersions, master: VMResources,
                node: VMResources, adminSSHKey: String?, rootPassword: SecretReference, packages: PackageSources = PackageSources()) {
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
        self.packages = packages
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

    /// Versions cse has scripts for. 16.04, Photon 1.0 and 2.0 are the seed's (Docker, Kubernetes before 1.24, mirrors only).
    public static let supportedVersions: [Family: [String]] = [.ubuntu: ["16.04", "22.04", "24.04"], .photon: ["1.0", "2.0", "5.0"]]

    /// Images that carry cloud-init with its VMware datasource (guestinfo.userdata): Ubuntu's cloud images from 22.04,
    /// Photon OS 5's OVA. Older images get cse's script through vCD's guest customization.
    public var hasCloudInit: Bool { !isLegacy }

    /// The seed's systems: Docker, Kubernetes before 1.24, cgroup v1.
    public var isLegacy: Bool {
        switch family {
        case .ubuntu: return version == "16.04"
        case .photon: return version == "1.0" || version == "2.0"
        }
    }

    /// Ubuntu's release code name (Docker's apt repository is per release).
    public var ubuntuCodename: String {
        ["16.04": "xenial", "22.04": "jammy", "24.04": "noble"][version] ?? "noble"
    }

    public var description: String { "\(family.rawValue) \(version)" }
}

public struct OVASource: Hashable, Sendable, Codable {
    /// Where cse fetches the OVA from; nil when the administrator uploads it into the catalog (`catalogItem`) themselves.
    public var url: String?
    /// SHA-1 of the OVA; required with `url`.
    public var sha1: String?
    /// Name of the uploaded OVA in the catalog (the seed's `source_ova_name`).
    public var catalogItem: String

    public init(url: String?, sha1: String?, catalogItem: String) {
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
