@testable import Bootstrap
import Foundation
import GuestSecrets
import Spec

enum F {
    static let adminKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 admin@cse"
    static let tenantKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI tenant@example"
    static let rootPassword = "s3cret-r00t'pw"
    static let environment = ["CSE_ROOT_PASSWORD": rootPassword]

    /// The systems with today's Kubernetes.
    static let currentSystems: [OperatingSystem] = [
        OperatingSystem(family: .ubuntu, version: "22.04"), OperatingSystem(family: .ubuntu, version: "24.04"),
        OperatingSystem(family: .photon, version: "5.0"),
    ]

    /// A current template: Kubernetes 1.31.4, containerd 1.7.24, Calico pinned to the stub manifest's digest.
    static func template(_ os: OperatingSystem = OperatingSystem(family: .ubuntu, version: "24.04"), adminKey: String? = F.adminKey,
                         kubernetes: String = "1.31.4", packages: PackageSources = PackageSources(), cniSHA256: String = Stubs.manifestSHA256) -> TemplateSpec {
        TemplateSpec(
            name: "\(os.family.rawValue)-\(os.version)", labels: [os.family.rawValue], os: os,
            source: OVASource(url: nil, sha1: nil, catalogItem: "\(os.family.rawValue).ova"),
            build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .dhcp, catalog: "cse",
                             tempVApp: "csetmp", cleanup: true, capture: true, storageProfile: nil),
            catalogItem: "k8s-\(os.family.rawValue)", diskSizeMB: 0,
            versions: SoftwareVersions(kubernetes: kubernetes, runtime: .containerd("1.7.24"),
                                       cni: CNIManifest(plugin: .calico, version: "3.29.1", url: nil, sha256: cniSHA256)),
            master: .defaultMaster, node: .defaultNode, adminSSHKey: adminKey, rootPassword: .environment("CSE_ROOT_PASSWORD"),
            packages: packages)
    }

    static let mirror = PackageSources(mirror: PackageMirror(url: "https://mirror.example.com/k8s/", key: "https://mirror.example.com/k8s/key.asc"),
                                       registryMirror: "https://registry.example.com",
                                       proxy: ProxySettings(http: "http://proxy.example.com:3128", https: "http://proxy.example.com:3128",
                                                            noProxy: "10.0.0.0/8"))

    /// The seed's template (Docker, Weave Net), only installable from a mirror.
    static func legacyTemplate(_ family: OperatingSystem.Family = .ubuntu, version: String? = nil, adminKey: String? = F.adminKey) -> TemplateSpec {
        let os = OperatingSystem(family: family, version: version ?? (family == .ubuntu ? "16.04" : "2.0"))
        var template = template(os, adminKey: adminKey, packages: mirror)
        template.versions = SoftwareVersions.legacyDefaults(for: os)
        template.versions.cni = CNIManifest(plugin: .weave, version: "2.0.5", url: "https://mirror.example.com/weave-2.0.5.yaml",
                                            sha256: Stubs.manifestSHA256)
        return template
    }

    static func cluster(nodes: Int = 2, sshKey: String? = F.tenantKey) -> ClusterSpec {
        ClusterSpec(name: "c1", org: "org1", vdc: "org1-vdc", template: "ubuntu-24.04", network: "intranet",
                    nodes: NodePool(count: nodes), sshKey: sshKey)
    }

    /// An installation's keys for the tests' masters to seal to (made once per test run).
    static let keys: InstallationKeys = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bootstrap-keys-\(UUID().uuidString.prefix(8))").path
        do { return try InstallationKeys.openOrCreate(directory: directory) } catch { fatalError("cannot make test keys: \(error)") }
    }()

    /// Opens what a master published.
    static func unseal(_ text: String) throws -> Data { try keys.open(text) }

    static let scripts = BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current), environment: environment)

    static func build(_ template: TemplateSpec) -> String {
        (try? scripts.templateBootstrap(for: template).script) ?? "exit 99"
    }

    static func master(nodes: Int = 2, template: TemplateSpec? = F.template()) -> String {
        scripts.clusterScript(cluster: cluster(nodes: nodes), template: template, role: .master, vmName: "c1-m1", join: nil)
    }

    static func node(join: JoinInfo?, template: TemplateSpec? = F.template()) -> String {
        scripts.clusterScript(cluster: cluster(), template: template, role: .node, vmName: "c1-n1", join: join)
    }

    static func phaseKeys(_ role: GuestContract.Role) -> [String] {
        GuestContract.phases(for: role).flatMap { _ in [GuestContract.phaseKey, GuestContract.statusKey] }
    }
}
