@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct ScriptPartsTests {
    @Test func packageVersionsPerRepository() {
        let ubuntu = OperatingSystem(family: .ubuntu, version: "16.04"), photon = OperatingSystem(family: .photon, version: "2.0")
        func install(_ os: OperatingSystem, docker: String, kubernetes: String) -> PackageInstall {
            PackageInstall(os: os, versions: SoftwareVersions(kubernetes: kubernetes, docker: docker, weave: "2.0.5"), packages: F.mirror)
        }
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "1.8.2").dockerPackageVersion == "17.09.0~ce-0~ubuntu")
        #expect(install(ubuntu, docker: "18.06.3~ce~3-0~ubuntu", kubernetes: "1.8.2").dockerPackageVersion == "18.06.3~ce~3-0~ubuntu")
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "v1.8.2").pinnedPackages.contains("kubelet=1.8.2-*"))
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "1.8.2-00").pinnedPackages.contains("kubeadm=1.8.2-00"))
        #expect(install(photon, docker: "17.06.0-ce", kubernetes: "1.8.1").dockerPackageVersion == "17.06.0")
        let current = PackageInstall(os: OperatingSystem(family: .ubuntu, version: "22.04"), versions: F.template().versions, packages: PackageSources())
        #expect(current.publicRepository == "https://pkgs.k8s.io/core:/stable:/v1.31/deb/")
        #expect(current.publicKey == "https://pkgs.k8s.io/core:/stable:/v1.31/deb/Release.key")
        let photon5 = PackageInstall(os: OperatingSystem(family: .photon, version: "5.0"), versions: F.template().versions, packages: PackageSources())
        #expect(photon5.publicRepository == "https://pkgs.k8s.io/core:/stable:/v1.31/rpm/")
        #expect(photon5.publicKey == "https://pkgs.k8s.io/core:/stable:/v1.31/rpm/repodata/repomd.xml.key")
    }

    @Test func kubernetesVersions() {
        #expect(KubernetesVersion("1.8.2")?.tag == "v1.8.2")
        #expect(KubernetesVersion("v1.10.11")?.minor == 10)
        #expect(KubernetesVersion("1.13.5-00")?.patch == 5)
        #expect(KubernetesVersion("1.31.4")?.minorRelease == "1.31")
        #expect(KubernetesVersion("1.8") == nil)
        #expect(KubernetesVersion("latest") == nil)
        #expect(KubernetesVersion("1.9.0")! < KubernetesVersion("1.10.0")!)
    }

    @Test func legacyImagesComeFromTheMirrorOrRegistryK8sIo() {
        let mirrored = ControlPlaneImages(kubernetes: KubernetesVersion("1.10.11")!, packages: F.mirror).legacyImages
        #expect(mirrored.contains("registry.example.com/etcd-amd64:3.1.12"))
        #expect(mirrored.contains("registry.example.com/pause-amd64:3.1"))
        let plain = ControlPlaneImages(kubernetes: KubernetesVersion("1.8.2")!, packages: PackageSources()).legacyImages
        #expect(plain.contains("registry.k8s.io/kube-proxy-amd64:v1.8.2"))
    }

    @Test func untaintFollowsTheTaintKubeadmSets() {
        func untaint(_ kubernetes: String) -> String {
            var template = F.template()
            template.versions.kubernetes = kubernetes
            return MasterScript(cluster: F.cluster(nodes: 0), template: template, vmName: "m", sealingKey: F.scripts.sealingKey).untaintCommands
        }
        #expect(untaint("1.8.2").hasSuffix("node-role.kubernetes.io/master-"))
        #expect(untaint("1.24.1").contains("master-") && untaint("1.24.1").contains("control-plane-"))
        #expect(!untaint("1.31.4").contains("master-") && untaint("1.31.4").contains("control-plane-"))
        #expect(MasterScript(cluster: F.cluster(nodes: 1), template: F.template(), vmName: "m", sealingKey: F.scripts.sealingKey).untaintCommands.hasPrefix("#"))
    }

    @Test func quotingKeepsTextLiteral() {
        #expect(Shell.quoted("it's") == #"'it'\''s'"#)
        #expect(Shell.commentSafe("a\nb\r\nc") == "a b c")
    }

    @Test func summaryLinesCannotInjectCommands() {
        var cluster = F.cluster()
        cluster.name = "c1\nrm -rf /"
        let script = F.scripts.clusterScript(cluster: cluster, template: F.template(), role: .master, vmName: "m", join: nil)
        #expect(!script.split(separator: "\n").contains("rm -rf /"))
    }

    @Test func cloudInitImagesGetUserDataOthersAScript() throws {
        let current = try F.scripts.templateBootstrap(for: F.template())
        #expect(current.delivery == .cloudInit && current.customizationScript == nil)
        let extra = Dictionary(current.extraConfig.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        #expect(extra["guestinfo.userdata.encoding"] == "base64")
        let document = try #require(Data(base64Encoded: extra["guestinfo.userdata"] ?? "").flatMap { String(data: $0, encoding: .utf8) })
        #expect(document.hasPrefix("#cloud-config\n"))
        #expect(document.contains("runcmd:\n- [/bin/bash, /var/lib/cse/bootstrap.sh]"))
        #expect(CloudInitUserData.script(fromExtraConfig: extra) == current.script)
        #expect(!document.contains(F.rootPassword))

        let legacy = try F.scripts.templateBootstrap(for: F.legacyTemplate())
        #expect(legacy.delivery == .customizationScript && legacy.extraConfig.isEmpty && legacy.customizationScript == legacy.script)
        #expect(F.scripts.clusterBootstrap(cluster: F.cluster(), template: nil, role: .master, vmName: "m", join: nil).delivery == .customizationScript)
        #expect(CloudInitUserData.script(fromExtraConfig: ["guestinfo.userdata": "bm90IGNsb3VkLWNvbmZpZw=="]) == nil, "encoding missing")
    }

    @Test func bootstrapShowMasksSecretsAndShowsWhatRuns() throws {
        let text = BootstrapAudit.render(template: F.template(), role: .template)
        #expect(text.contains("https://pkgs.k8s.io/core:/stable:/v1.31/deb/"))
        #expect(text.contains("containerd.io=1.7.24-*") && text.contains("SystemdCgroup = true"))
        #expect(text.contains("https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/calico.yaml"))
        #expect(text.contains(Stubs.manifestSHA256))
        #expect(text.contains("cse_root_password_hash='********'"))
        #expect(!text.contains(F.rootPassword) && !text.contains(Data(F.rootPassword.utf8).base64EncodedString()))
        let node = BootstrapAudit.render(template: F.template(), role: .node)
        #expect(node.contains("kind: JoinConfiguration") && !node.contains("abcdef"))
    }
}
