@testable import Bootstrap
import Spec
import Testing

@Suite struct ScriptPartsTests {
    @Test func packageVersionsPerRepository() {
        let ubuntu = OperatingSystem(family: .ubuntu, version: "16.04"), photon = OperatingSystem(family: .photon, version: "2.0")
        func install(_ os: OperatingSystem, docker: String, kubernetes: String) -> PackageInstall {
            PackageInstall(os: os, versions: SoftwareVersions(kubernetes: kubernetes, docker: docker, weave: "2.0.5"))
        }
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "1.8.2").dockerPackageVersion == "17.09.0~ce-0~ubuntu")
        #expect(install(ubuntu, docker: "18.06.3~ce~3-0~ubuntu", kubernetes: "1.8.2").dockerPackageVersion == "18.06.3~ce~3-0~ubuntu")
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "v1.8.2").kubernetesPackageVersion == "1.8.2-00")
        #expect(install(ubuntu, docker: "17.09.0-ce", kubernetes: "1.13.5-01").kubernetesPackageVersion == "1.13.5-01")
        #expect(install(photon, docker: "17.06.0-ce", kubernetes: "1.8.1").dockerPackageVersion == "17.06.0")
        #expect(install(photon, docker: "17.06.0-ce", kubernetes: "1.8.1").kubernetesPackageVersion == "1.8.1")
    }

    @Test func kubernetesVersions() {
        #expect(KubernetesVersion("1.8.2")?.tag == "v1.8.2")
        #expect(KubernetesVersion("v1.10.11")?.minor == 10)
        #expect(KubernetesVersion("1.13.5-00")?.patch == 5)
        #expect(KubernetesVersion("1.8") == nil)
        #expect(KubernetesVersion("latest") == nil)
        #expect(KubernetesVersion("1.9.0")! < KubernetesVersion("1.10.0")!)
    }

    @Test func controlPlaneImagesFollowTheRelease() {
        let images = ControlPlaneImages(kubernetes: KubernetesVersion("1.10.11")!, weave: "2.3.0").legacyImages
        #expect(images.contains("gcr.io/google_containers/etcd-amd64:3.1.12"))
        #expect(images.contains("gcr.io/google_containers/pause-amd64:3.1"))
        #expect(images.contains("gcr.io/google_containers/kube-proxy-amd64:v1.10.11"))
    }

    @Test func untaintFollowsTheTaintKubeadmSets() {
        func untaint(_ kubernetes: String) -> String {
            var template = F.template()
            template.versions.kubernetes = kubernetes
            return MasterScript(cluster: F.cluster(nodes: 0), template: template, vmName: "m", sealingKey: F.scripts.sealingKey).untaintCommands
        }
        #expect(untaint("1.8.2").hasSuffix("node-role.kubernetes.io/master-"))
        #expect(untaint("1.24.1").contains("master-") && untaint("1.24.1").contains("control-plane-"))
        #expect(!untaint("1.26.0").contains("master-") && untaint("1.26.0").contains("control-plane-"))
        #expect(MasterScript(cluster: F.cluster(nodes: 1), template: F.template(), vmName: "m", sealingKey: F.scripts.sealingKey).untaintCommands.hasPrefix("#"))
    }

    @Test func quotingKeepsTextLiteral() {
        #expect(Shell.quoted("it's") == #"'it'\''s'"#)
        #expect(Shell.commentSafe("a\nb\r\nc") == "a b c")
    }

    @Test func summaryLinesCannotInjectCommands() {
        var cluster = F.cluster()
        cluster.name = "c1\nrm -rf /"
        let script = F.scripts.clusterScript(cluster: cluster, template: nil, role: .master, vmName: "m", join: nil)
        #expect(!script.split(separator: "\n").contains("rm -rf /"))
    }
}
