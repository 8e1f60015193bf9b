import Foundation
import Testing
@testable import Spec

/// Templates name versions that go together; validation refuses the others at the key that is wrong, saying why.
@Suite struct VersionRuleTests {
    static func template(os: String = #"{name: ubuntu, version: "24.04"}"#, versions: String, packages: String = "") -> String {
        """
        apiVersion: cse/v1
        kind: Template
        metadata:
          name: t
        spec:
          os: \(os)
          source: {catalogItem: image.ova}
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse}
          versions:
        \(versions)
        \(packages)
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """
    }

    static let legacyVersions = """
            kubernetes: 1.8.2
            docker: 17.09.0-ce
            cni: {plugin: weave, version: 2.0.5, url: "https://mirror.example.com/weave/net-2.0.5.yaml", sha256: \(String(repeating: "ab", count: 32))}
        """

    @Test func anOldReleaseWithoutAMirrorIsRefusedWhereItIsNamed() {
        let errors = Fixtures.errors(["old.yaml": Self.template(os: #"{name: ubuntu, version: "16.04"}"#, versions: Self.legacyVersions)])
        #expect(errors.map(\.description) == [
            "old.yaml:10:17: Kubernetes 1.8 has no public package source (pkgs.k8s.io starts at 1.24); set `packages.mirror`",
        ])
    }

    @Test func anOldReleaseWithAMirrorIsAccepted() throws {
        let packages = """
              packages:
                mirror: {url: "https://mirror.example.com/apt/", key: "https://mirror.example.com/apt/key.asc"}
                registryMirror: https://registry.example.com
                proxy: {http: "http://proxy:3128", noProxy: ".local"}
            """
        let set = try Fixtures.load(["old.yaml": Self.template(os: #"{name: ubuntu, version: "16.04"}"#, versions: Self.legacyVersions, packages: packages)])
        let template = try #require(set.templates.first)
        #expect(template.versions.runtime == .docker("17.09.0-ce"))
        #expect(template.versions.cni.plugin == .weave)
        #expect(template.packages.mirror == PackageMirror(url: "https://mirror.example.com/apt/", key: "https://mirror.example.com/apt/key.asc"))
        #expect(template.packages.registryMirror == "https://registry.example.com")
        #expect(template.packages.proxy == ProxySettings(http: "http://proxy:3128", https: nil, noProxy: ".local"))
    }

    @Test func aCurrentTemplateLoadsWithItsPinnedManifest() throws {
        let versions = """
                kubernetes: 1.30.8
                containerd: 1.7.24
                cni: {plugin: flannel, version: 0.26.1}
            """
        let template = try #require(try Fixtures.load(["t.yaml": Self.template(versions: versions)]).templates.first)
        #expect(template.versions.cni.sha256 == "7bc4fc42328f5a0d53b3f9a80bccaa618ec984b1e08539f5ebf66a950184fe42", "known upstream digest")
        #expect(template.versions.cni.effectiveURL == "https://raw.githubusercontent.com/flannel-io/flannel/v0.26.1/Documentation/kube-flannel.yml")
        #expect(template.source.url == nil && template.source.catalogItem == "image.ova")
    }

    @Test(arguments: [
        ("    kubernetes: 1.31.4\n    docker: 20.10.7", "Kubernetes 1.24 removed dockershim: Kubernetes 1.31 runs on containerd; set `versions.containerd` instead of `versions.docker`"),
        ("    kubernetes: 1.31.4\n    containerd: 1.5.13", "Kubernetes 1.26 and later need containerd 1.6 or newer (CRI v1); found 1.5.13"),
        ("    kubernetes: 1.24.17\n    containerd: 1.7.24\n    cni: {plugin: flannel, version: 0.26.1}", "ubuntu 24.04 uses cgroup v2, which kubelet supports from Kubernetes 1.25; found 1.24.17"),
        ("    kubernetes: 1.31.4\n    containerd: 1.7.24\n    cni: {plugin: calico, version: 3.28.2}", "Calico 3.28 is tested with Kubernetes 1.27 to 1.30, not 1.31"),
        ("    kubernetes: 1.31.4\n    containerd: 1.7.24\n    cni: {plugin: calico, version: 3.29.0}", "cse knows no SHA-256 for Calico 3.29.0's manifest; pin `versions.cni.sha256` (sha256sum of the file you reviewed)"),
        ("    kubernetes: 1.31.4\n    containerd: 1.7.24\n    cni: {plugin: weave, version: 2.8.1}", "Weave Net is archived; Kubernetes 1.31 templates use calico or flannel"),
        ("    kubernetes: 1.31.4\n    containerd: 1.7.24\n    cni: {plugin: calico, version: 3.29.1, sha256: abc}", "'versions.cni.sha256' must be 64 hexadecimal digits"),
    ])
    func unsupportedCombinationsAreRefused(versions: String, message: String) {
        let errors = Fixtures.errors(["t.yaml": Self.template(versions: versions)])
        #expect(errors.map(\.message) == [message])
        #expect(errors.first?.location.line ?? 0 >= 10, "reported at the versions it is about")
    }

    @Test func legacySystemsCannotRunTodaysKubernetes() {
        let errors = Fixtures.errors(["t.yaml": Self.template(os: #"{name: photon, version: "2.0"}"#, versions: "    kubernetes: 1.31.4")])
        #expect(errors.map(\.message).contains("photon 2.0 templates run Docker and Kubernetes before 1.24; Kubernetes 1.31 needs ubuntu 22.04 or 24.04 or photon 5.0"))
    }

    @Test func theExampleSpecsInTheRepositoryAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for directory in ["specs", "examples"] {
            let set = try SpecLoader().load(path: root.appendingPathComponent(directory).path)
            #expect(!set.templates.isEmpty, "\(directory)")
            for template in set.templates where !template.os.isLegacy {
                #expect(template.versions.kubernetesVersion.map { $0.isAtLeast(1, 31) } == true, "\(template.name)")
            }
        }
    }
}
