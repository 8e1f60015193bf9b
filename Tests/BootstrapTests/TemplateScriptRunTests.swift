@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct TemplateScriptRunTests {
    @Test func ubuntuInstallsPinnedVersionsAndPreparesForCapture() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: F.template(.ubuntu)))

        #expect(run.exitCode == 0, "\(run.log)\(run.console)")
        #expect(run.keys == F.phaseKeys(.template) + [GuestContract.statusKey])
        #expect(run.guestinfo.filter { $0.key == GuestContract.phaseKey }.map(\.value) == GuestContract.phases(for: .template))
        #expect(run.extraConfig[GuestContract.statusKey] == "done")
        #expect(run.calls.contains("apt-get install -y -q docker-ce=17.09.0~ce-0~ubuntu kubelet=1.8.2-00 kubeadm=1.8.2-00 kubectl=1.8.2-00"))
        #expect(run.calls.contains("apt-mark hold docker-ce kubelet kubeadm kubectl"))
        #expect(run.calls.contains("docker pull gcr.io/google_containers/kube-apiserver-amd64:v1.8.2"))
        #expect(run.calls.contains("docker pull gcr.io/google_containers/etcd-amd64:3.0.17"))
        #expect(run.calls.contains("docker pull weaveworks/weave-kube:2.0.5"))
        #expect(run.calls(of: "curl").contains { $0.contains("cloud.weave.works/k8s/net?k8s-version=") && $0.hasSuffix("&v=2.0.5") })
        #expect(harness.read("root/weave.yml")?.isEmpty == false)
        #expect(harness.read("root/.ssh/authorized_keys") == F.adminKey + "\n")
        #expect(harness.read("etc/machine-id") == "", "clones must generate their own machine id")
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: harness.path("var/lib/dbus/machine-id").path)
        #expect(link == harness.path("etc/machine-id").path)
        #expect(harness.read("etc/apt/sources.list.d/kubernetes.list")?.contains("kubernetes-xenial") == true)
        #expect(run.calls(of: "tdnf").isEmpty)
    }

    @Test(arguments: ["1.0", "2.0"])
    func photonInstallsWithTdnf(version: String) throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: F.template(.photon, version: version)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.extraConfig[GuestContract.statusKey] == "done")
        #expect(run.calls.contains("tdnf install -y docker-17.06.0 kubernetes-1.8.1 kubernetes-kubeadm-1.8.1"))
        #expect(run.calls.contains("docker pull gcr.io/google_containers/kube-apiserver-amd64:v1.8.1"))
        #expect(run.calls.contains("systemctl enable docker kubelet cse-iptables-accept.service"))
        #expect(harness.read("etc/systemd/system/cse-iptables-accept.service")?.contains("iptables -P INPUT ACCEPT") == true)
        #expect(run.calls(of: "apt-get").isEmpty)
        #expect(harness.read("etc/machine-id") == "")
    }

    @Test func recentKubernetesLetsKubeadmPullItsImages() throws {
        var template = F.template(.ubuntu)
        template.versions = SoftwareVersions(kubernetes: "1.15.5", docker: "18.09.7", weave: "2.5.2")
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: template))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains("kubeadm config images pull --kubernetes-version v1.15.5"))
        #expect(run.calls.contains("apt-get install -y -q docker-ce=18.09.7 kubelet=1.15.5-00 kubeadm=1.15.5-00 kubectl=1.15.5-00"))
        #expect(!run.calls.contains { $0.contains("gcr.io/google_containers") })
    }

    @Test func precustomizationDoesNothing() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: F.template(.ubuntu)), argument: "precustomization")

        #expect(run.exitCode == 0)
        #expect(run.calls.isEmpty)
        #expect(run.guestinfo.isEmpty)
    }

    @Test func withoutAdminKeyNoKeyIsWritten() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: F.template(.ubuntu, adminKey: nil)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(harness.read("root/.ssh/authorized_keys") == nil)
    }

    @Test func keysWithQuotesStayOneLiteralLine() throws {
        let key = "ssh-rsa AAAA it's $(touch pwned) `x`"
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.scripts.buildScript(for: F.template(.ubuntu, adminKey: key)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(harness.read("root/.ssh/authorized_keys") == key + "\n")
        #expect(!FileManager.default.fileExists(atPath: harness.path("pwned").path))
    }
}
