@testable import Bootstrap
import Foundation
import Spec
import Testing

/// A failing command stops the script, which reports `failed` with the phase and the command, and exits non-zero.
@Suite struct FailureTests {
    @Test func masterStopsWhenKubeadmInitFails() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 0), fail: "kubeadm init")

        #expect(run.exitCode != 0)
        guard case .failed(let phase, let reason) = GuestContract.report(run.extraConfig) else {
            Issue.record("not failed: \(run.guestinfo)")
            return
        }
        #expect(phase == "kubeadm-init")
        #expect(reason.hasPrefix("phase kubeadm-init: 'kubeadm init --config \"${kubernetes_dir}/cse-kubeadm.yaml\""), "\(reason)")
        #expect(reason.hasSuffix("exited 1"))
        #expect(!reason.contains("\n"))
        #expect(run.keys.suffix(2) == [GuestContract.reasonKey, GuestContract.statusKey], "reason before status")
        #expect(run.calls(of: "kubectl").isEmpty, "nothing runs after the failure")
        #expect(!run.calls.contains { $0.contains("token create") })
        #expect(run.extraConfig[GuestContract.joinCommandKey] == nil)
    }

    @Test func templateStopsWhenAptFails() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.template()), fail: "apt-get")

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "packages", reason: "phase packages: 'apt-get update -q' exited 1"))
        #expect(run.calls(of: "apt-get") == ["apt-get update -q"])
        #expect(run.calls(of: "crictl").isEmpty && run.calls(of: "kubeadm").isEmpty)
        #expect(harness.read("etc/machine-id") == "0123456789abcdef\n", "not prepared for capture")
    }

    @Test func failureInsideAPipelineIsCaught() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        // `curl KEY | gpg --dearmor`: pipefail makes gpg's failure the pipeline's, and the trap names gpg.
        let run = try harness.run(F.build(F.template()), fail: "gpg")

        #expect(run.exitCode != 0)
        guard case .failed(let phase, let reason) = GuestContract.report(run.extraConfig) else {
            Issue.record("not failed")
            return
        }
        #expect(phase == "packages")
        #expect(reason.hasPrefix("phase packages: 'gpg --dearmor"), "\(reason)")
        #expect(run.calls(of: "apt-get").count == 2, "stopped before the second update")
        #expect(run.guestinfo.filter { $0.key == GuestContract.statusKey }.last?.value == "failed")
        #expect(run.guestinfo.filter { $0.key == GuestContract.reasonKey }.count == 1, "one report, not one per subshell")
    }

    @Test func publishFailureNamesTheStepNotTheSecret() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2), fail: "vmtoolsd --cmd")
        // Every report fails here, so nothing reaches guestinfo; the script still stops with an error.
        #expect(run.exitCode != 0)
        #expect(run.calls(of: "kubeadm").isEmpty)
    }

    @Test func aMissingToolIsReportedByName() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        try FileManager.default.removeItem(at: harness.bin.appendingPathComponent("kubeadm"))
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "init", reason: "phase init: required command kubeadm not found"))
    }

    @Test func refusalReportsItsReason() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let script = F.scripts.clusterScript(cluster: F.cluster(), template: nil, role: .template, vmName: "x", join: nil)
        let run = try harness.run(script)

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "init", reason: "phase init: a template build needs the template's spec"))
    }

    @Test func refreshFailureFailsThePublishPhase() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2), fail: "kubeadm token")

        #expect(run.exitCode != 0)
        guard case .failed(let phase, let reason) = GuestContract.report(run.extraConfig) else {
            Issue.record("not failed")
            return
        }
        #expect(phase == "publish")
        #expect(reason.contains("cse-join-refresh"))
        #expect(run.extraConfig[GuestContract.joinCommandKey] == nil)
        #expect(!run.calls.contains("systemctl enable --now cse-join-refresh.timer"))
    }

    @Test func failureInsideAHelperFunctionIsReported() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        // A file where the .ssh directory belongs makes `mkdir` inside cse_authorize_key fail.
        try "".write(to: harness.path("root/.ssh"), atomically: true, encoding: .utf8)
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "init", reason: "phase init: 'mkdir -p \"${root_home}/.ssh\"' exited 1"))
        #expect(run.calls(of: "kubeadm").isEmpty)
    }
}
