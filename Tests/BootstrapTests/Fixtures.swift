@testable import Bootstrap
import Foundation
import GuestSecrets
import Spec

enum F {
    static let adminKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 admin@cse"
    static let tenantKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI tenant@example"

    static func template(_ family: OperatingSystem.Family = .ubuntu, version: String? = nil, adminKey: String? = F.adminKey) -> TemplateSpec {
        let os = OperatingSystem(family: family, version: version ?? (family == .ubuntu ? "16.04" : "2.0"))
        return TemplateSpec(
            name: "\(family.rawValue)-\(os.version)", labels: [family.rawValue], os: os,
            source: OVASource(url: "https://example.com/\(family.rawValue).ova", sha1: String(repeating: "a", count: 40),
                              catalogItem: "\(family.rawValue).ova"),
            build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .dhcp, catalog: "cse",
                             tempVApp: "csetmp", cleanup: true, capture: true, storageProfile: nil),
            catalogItem: "k8s-\(family.rawValue)", diskSizeMB: 0, versions: SoftwareVersions.defaults(for: os),
            master: .defaultMaster, node: .defaultNode, adminSSHKey: adminKey, rootPassword: .environment("CSE_ROOT_PASSWORD"))
    }

    static func cluster(nodes: Int = 2, sshKey: String? = F.tenantKey) -> ClusterSpec {
        ClusterSpec(name: "c1", org: "org1", vdc: "org1-vdc", template: "ubuntu-16.04", network: "intranet",
                    nodes: NodePool(count: nodes), sshKey: sshKey)
    }

    /// An installation's keys for the tests' masters to seal to (made once per test run).
    static let keys: InstallationKeys = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bootstrap-keys-\(UUID().uuidString.prefix(8))").path
        do { return try InstallationKeys.openOrCreate(directory: directory) } catch { fatalError("cannot make test keys: \(error)") }
    }()

    /// Opens what a master published.
    static func unseal(_ text: String) throws -> Data { try keys.open(text) }

    static let scripts = BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current))

    static func master(nodes: Int = 2, template: TemplateSpec? = F.template()) -> String {
        scripts.clusterScript(cluster: cluster(nodes: nodes), template: template, role: .master, vmName: "c1-m1", join: nil)
    }

    static func node(join: JoinInfo?) -> String {
        scripts.clusterScript(cluster: cluster(), template: template(), role: .node, vmName: "c1-n1", join: join)
    }

    static func phaseKeys(_ role: GuestContract.Role) -> [String] {
        GuestContract.phases(for: role).flatMap { _ in [GuestContract.phaseKey, GuestContract.statusKey] }
    }
}
