import Foundation
import Spec
import Yams

/// The cloud a simulator starts with: orgs, users, vdcs with networks, catalogs with uploaded OVAs.
/// Read from YAML (`cse sim --inventory FILE`); `SimInventory.default` matches the example specs.
public struct SimInventory: Codable, Sendable {
    public var orgs: [Org]
    /// What guests can download; default: the upstream CNI manifests cse knows (`CNIManifest.knownDigests`).
    public var downloads: [Download]?

    public struct Org: Codable, Sendable {
        public var name: String
        public var fullName: String?
        public var users: [User]?
        public var vdcs: [Vdc]?
        public var catalogs: [Catalog]?
    }

    public struct User: Codable, Sendable {
        public var name: String
        public var password: String
        /// `System Administrator` (org System only), `Organization Administrator` or `vApp User`.
        public var role: String
    }

    public struct Vdc: Codable, Sendable {
        public var name: String
        public var storageProfiles: [String]?
        public var cpuLimitMHz: Int?
        public var memoryLimitMB: Int?
        public var networks: [Network]?
    }

    public struct Network: Codable, Sendable {
        public var name: String
        public var gateway: String
        public var netmask: String?
        /// First and last address of the static IP pool, e.g. `10.10.0.10-10.10.0.250`.
        public var pool: String
    }

    public struct Catalog: Codable, Sendable {
        public var name: String
        /// Published to all orgs (as a provider's template catalog is); default false.
        public var published: Bool?
        public var items: [Item]?
    }

    /// An OVA already uploaded into the catalog.
    public struct Item: Codable, Sendable {
        public var name: String
        public var sha1: String?
        public var osType: String?
        public var cpu: Int?
        public var memoryMB: Int?
        public var diskMB: Int?
        /// The image runs cloud-init (reads `guestinfo.userdata`, ignores guest customization scripts).
        public var cloudInit: Bool?
    }

    /// A file the simulated internet serves: guests that download `url` get content with this SHA-256.
    public struct Download: Codable, Sendable {
        public var url: String
        public var sha256: String
    }

    /// The upstream CNI manifests whose digests cse knows (each established from the upstream repository at its tag).
    public static var upstreamDownloads: [Download] {
        CNIManifest.knownDigests.flatMap { plugin, versions in
            versions.compactMap { version, sha256 in
                CNIManifest(plugin: plugin, version: version, url: nil, sha256: sha256).upstreamURL.map { Download(url: $0, sha256: sha256) }
            }
        }.sorted { $0.url < $1.url }
    }

    public static func load(path: String) throws -> SimInventory {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            return try YAMLDecoder().decode(SimInventory.self, from: text)
        } catch {
            throw SimSetupError("inventory \(path): \(error)")
        }
    }

    /// The built-in cloud: org `cse` where templates are built, tenants `org1` and `org2`, and `System`.
    /// Its passwords are the simulator's own (not secrets of any real system).
    public static let `default` = SimInventory(orgs: [
        Org(name: "System", fullName: "System organization", users: [User(name: "administrator", password: "sim-admin", role: "System Administrator")],
            vdcs: [], catalogs: []),
        Org(name: "cse", fullName: "Container Service", users: [User(name: "cse-admin", password: "sim-cse", role: "Organization Administrator")],
            vdcs: [Vdc(name: "cse-vdc", storageProfiles: ["*", "gold"], cpuLimitMHz: 200_000, memoryLimitMB: 1_048_576,
                       networks: [Network(name: "cse-net", gateway: "10.10.0.1", netmask: "255.255.255.0", pool: "10.10.0.10-10.10.0.250")])],
            catalogs: [Catalog(name: "cse", published: true, items: [
                Item(name: "ubuntu-16.04-server-cloudimg-amd64.ova", sha1: "1bddf68820c717e13c6d1acd800fb7b4d197b411", osType: "ubuntu64Guest",
                     cpu: 2, memoryMB: 2048, diskMB: 10240),
                Item(name: "photon-custom-hw11-1.0-62c543d.ova", sha1: "18c1a6d31545b757d897c61a0c3cc0e54d8aeeba", osType: "other3xLinux64Guest",
                     cpu: 2, memoryMB: 2048, diskMB: 16384),
                // Today's images, uploaded by the administrator (the example specs name them by catalog item only).
                Item(name: "ubuntu-22.04-server-cloudimg-amd64.ova", sha1: nil, osType: "ubuntu64Guest", cpu: 2, memoryMB: 2048, diskMB: 10240,
                     cloudInit: true),
                Item(name: "ubuntu-24.04-server-cloudimg-amd64.ova", sha1: nil, osType: "ubuntu64Guest", cpu: 2, memoryMB: 2048, diskMB: 10240,
                     cloudInit: true),
                Item(name: "photon-hw15-5.0-dde71ec57.x86_64.ova", sha1: nil, osType: "vmwarePhoton64Guest", cpu: 2, memoryMB: 2048, diskMB: 16384,
                     cloudInit: true),
            ])]),
        Org(name: "org1", fullName: "Tenant one", users: [
                User(name: "alice", password: "sim-alice", role: "Organization Administrator"),
                User(name: "bob", password: "sim-bob", role: "vApp User"),
            ],
            vdcs: [Vdc(name: "org1-vdc", storageProfiles: ["*", "gold"], cpuLimitMHz: 100_000, memoryLimitMB: 524_288,
                       networks: [Network(name: "intranet", gateway: "10.20.0.1", netmask: "255.255.255.0", pool: "10.20.0.10-10.20.0.250")])],
            catalogs: [Catalog(name: "org1-catalog", items: [])]),
        Org(name: "org2", fullName: "Tenant two", users: [User(name: "carol", password: "sim-carol", role: "Organization Administrator")],
            vdcs: [Vdc(name: "org2-vdc", storageProfiles: ["*"], cpuLimitMHz: 100_000, memoryLimitMB: 524_288,
                       networks: [Network(name: "org2-net", gateway: "10.30.0.1", netmask: "255.255.255.0", pool: "10.30.0.10-10.30.0.250")])],
            catalogs: []),
    ])
}

public struct SimSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
