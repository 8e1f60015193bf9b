@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct MasterScriptRunTests {
    @Test func initsPublishesAndReportsDone() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let started = Date()
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.exitCode == 0, "\(run.log)\(run.console)")
        let phases = F.phaseKeys(.master)
        #expect(run.keys == phases + [GuestContract.joinCommandKey, GuestContract.joinExpiresKey, GuestContract.joinTokenIDKey,
                                      GuestContract.kubeconfigKey, GuestContract.statusKey])
        #expect(run.extraConfig[GuestContract.joinTokenIDKey] == "abcdef", "the public half only")
        #expect(run.guestinfo.filter { $0.key == GuestContract.phaseKey }.map(\.value) == GuestContract.phases(for: .master))
        #expect(GuestContract.report(run.extraConfig) == .ready)

        let join = try #require(GuestContract.joinInfo(run.extraConfig, open: F.unseal, now: started))
        #expect(join.command == Stubs.joinCommand, "trailing blanks trimmed")
        let expires = try #require(join.expires)
        #expect(abs(expires.timeIntervalSince(started) - GuestContract.joinTokenTTL) < 30)
        #expect(try GuestContract.kubeconfig(run.extraConfig, open: F.unseal) == Stubs.adminConf)

        #expect(run.calls.contains("kubeadm init --config \(harness.path("etc/kubernetes/cse-kubeadm.yaml").path)"))
        #expect(run.calls(of: "kubeadm").contains { $0.hasPrefix("kubeadm token create") && $0.contains("--print-join-command --ttl \(Int(GuestContract.joinTokenTTL))s") })
        #expect(run.calls.contains { $0.hasPrefix("kubectl --kubeconfig") && $0.hasSuffix("apply -f \(harness.path("var/lib/cse/cni.yaml").path)") })
        #expect(!run.calls.contains { $0.contains("taint") }, "nodes run the workloads")
        #expect(harness.read("root/.kube/config") == Stubs.adminConf)
        let mode = try FileManager.default.attributesOfItem(atPath: harness.path("root/.kube/config").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func installsTheJoinRefreshTimer() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.calls.contains("systemctl enable --now cse-join-refresh.timer"))
        let timer = try #require(harness.read("etc/systemd/system/cse-join-refresh.timer"))
        #expect(timer.contains("OnUnitActiveSec=\(Int(GuestContract.joinCheckInterval))"))
        let service = try #require(harness.read("etc/systemd/system/cse-join-refresh.service"))
        #expect(service.contains("ExecStart=\(harness.path("usr/local/sbin/cse-join-refresh").path)"))
        #expect(harness.read("usr/local/sbin/cse-join-refresh") == JoinRefresh.script(sealingKey: F.scripts.sealingKey))
        #expect(Int(GuestContract.joinRefreshInterval) < Int(GuestContract.joinTokenTTL) / 2,
                "a refresh that fails once still leaves a valid token")
    }

    /// The timer's script: a young published token stays; one cse asks to revoke goes with every earlier token the
    /// master issued (`kubeadm token delete ID`), and a fresh one is published; a revocation is done once.
    @Test func theTimersScriptRevokesUsedTokensAndPublishesAFreshOne() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let master = try harness.run(F.master(nodes: 2))
        let refresh = JoinRefresh.script(sealingKey: F.scripts.sealingKey)
        #expect(harness.read("var/lib/cse/join-tokens")?.hasPrefix("abcdef ") == true)
        // Calls accumulate over runs: each run's own are those past the previous run's.
        func tokenCalls(_ run: ScriptHarness.Run) -> [String] { run.calls.filter { $0.hasPrefix("kubeadm token") } }

        let idle = try harness.run(refresh)
        #expect(idle.exitCode == 0, "\(idle.console)")
        #expect(tokenCalls(idle) == tokenCalls(master), "a young, published, unrevoked token stays")
        #expect(idle.keys == master.keys)

        // cse reports abcdef used: it goes, and a fresh token (ghijkl) is published.
        try "\(GuestContract.joinRevokeKey)\tabcdef\n".write(to: harness.path("extraconfig.tsv"), atomically: true, encoding: .utf8)
        let fresh = "kubeadm join 10.0.0.5:6443 --token ghijkl.0123456789ghijkl --discovery-token-ca-cert-hash sha256:00"
        let before = idle.keys.count
        let revoked = try harness.run(refresh, extraEnvironment: ["HARNESS_JOIN_COMMAND": fresh])
        #expect(revoked.exitCode == 0, "\(revoked.console)")
        let deletions = tokenCalls(revoked).filter { $0.hasPrefix("kubeadm token delete") }
        #expect(deletions.count == 1 && deletions.first?.hasSuffix(" abcdef") == true, "\(deletions)")
        #expect(revoked.keys.dropFirst(before) == [GuestContract.joinCommandKey, GuestContract.joinExpiresKey, GuestContract.joinTokenIDKey,
                                                   GuestContract.kubeconfigKey])
        #expect(GuestContract.joinInfo(revoked.extraConfig.merging([GuestContract.joinRevokeKey: "abcdef"]) { $1 }, open: F.unseal)?.command == fresh)
        #expect(harness.read("var/lib/cse/join-tokens")?.hasPrefix("ghijkl ") == true)
        #expect(harness.read("var/lib/cse/join-tokens")?.contains("0123456789") == false, "token ids only, never secrets")

        let again = try harness.run(refresh, extraEnvironment: ["HARNESS_JOIN_COMMAND": fresh])
        #expect(tokenCalls(again) == tokenCalls(revoked), "the same revocation is not acted on twice; the fresh token stays")
    }

    @Test func singleNodeClusterUntaintsTheMaster() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 0))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains { $0.hasPrefix("kubectl --kubeconfig") && $0.hasSuffix("taint nodes --all node-role.kubernetes.io/control-plane-") })
        let apply = try #require(run.calls.firstIndex { $0.contains("apply -f") })
        let taint = try #require(run.calls.firstIndex { $0.contains("taint") })
        #expect(apply < taint)
    }

    @Test func secretsStayOutOfTheLog() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.exitCode == 0)
        #expect(run.log.contains("phase publish"), "the log is written")
        for secret in ["abcdef.0123456789abcdef", Stubs.initToken, "S0VZLURBVEEtU0VDUkVU", "client-key-data",
                       run.extraConfig[GuestContract.kubeconfigKey] ?? "<none>", run.extraConfig[GuestContract.joinCommandKey] ?? "<none>"] {
            #expect(!run.log.contains(secret), "log leaks \(secret.prefix(12))…")
            #expect(!run.console.contains(secret))
        }
    }

    @Test func withoutTemplateSpecTheMasterRefuses() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2, template: nil))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "init", reason: "phase init: the spec of template 'ubuntu-24.04' is unknown"))
        #expect(run.calls(of: "kubeadm").isEmpty)
    }

    @Test func photon1PassesThePodNetwork() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(template: F.legacyTemplate(.photon, version: "1.0")))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains("kubeadm init --config \(harness.path("etc/kubernetes/cse-kubeadm.yaml").path) --skip-preflight-checks"))
        let config = try #require(harness.read("kubeadm-init.yaml"))
        #expect(config.contains("apiVersion: kubeadm.k8s.io/v1alpha1\nkind: MasterConfiguration\nkubernetesVersion: v1.8.1"))
        #expect(config.contains("imageRepository: registry.example.com") && config.contains("podSubnet: 10.244.0.0/16"))
    }

    @Test(arguments: F.currentSystems)
    func everySystemInitsWithAConfigFileAndAppliesTheCheckedManifest(os: OperatingSystem) throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        try Stubs.manifest.write(to: harness.path("var/lib/cse/cni.yaml"), atomically: true, encoding: .utf8)
        let run = try harness.run(F.master(nodes: 2, template: F.template(os)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.inOrder(["systemctl is-active --quiet containerd", "systemctl enable kubelet", "kubeadm init --config",
                             "kubectl --kubeconfig", "kubeadm token create", "systemctl enable --now cse-join-refresh.timer"]),
                "\(run.calls.joined(separator: "\n"))")
        let config = try #require(harness.read("kubeadm-init.yaml"))
        #expect(config.hasPrefix("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"))
        #expect(config.contains("kind: ClusterConfiguration\nkubernetesVersion: v1.31.4\nnetworking:\n  podSubnet: 192.168.0.0/16"))
        #expect(config.contains("criSocket: unix:///run/containerd/containerd.sock"))
        #expect(config.contains("kind: KubeletConfiguration\ncgroupDriver: systemd"))
        #expect(harness.read("var/lib/cse/bootstrapped") != nil, "the status keys are this VM's own from now on")
        #expect(run.extraConfig[GuestContract.statusKey] == "done")
    }

    @Test(arguments: [("1.30.8", "v1beta3"), ("1.31.4", "v1beta4"), ("1.25.16", "v1beta3"), ("1.32.0", "v1beta4")])
    func kubeadmConfigVersionFollowsTheRelease(kubernetes: String, apiVersion: String) throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        try Stubs.manifest.write(to: harness.path("var/lib/cse/cni.yaml"), atomically: true, encoding: .utf8)
        let run = try harness.run(F.master(template: F.template(kubernetes: kubernetes)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(harness.read("kubeadm-init.yaml")?.hasPrefix("apiVersion: kubeadm.k8s.io/\(apiVersion)\n") == true)
    }

    @Test func aTamperedManifestIsNotApplied() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        try (Stubs.manifest + "# changed\n").write(to: harness.path("var/lib/cse/cni.yaml"), atomically: true, encoding: .utf8)
        let run = try harness.run(F.master(nodes: 2))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "network", reason: "phase network: the CNI manifest's SHA-256 does not match the pinned one"))
        #expect(!run.calls.contains { $0.contains(" apply -f ") })
    }

    @Test func aTemplateWithoutManifestFailsInNetwork() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2))

        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "network", reason: "phase network: the template carries no CNI manifest"))
    }
}

@Suite struct OldKubeadmJoinTests {
    /// kubeadm 1.8 (the seed's versions) has no `--print-join-command`: the refresh script assembles the command.
    @Test func joinCommandIsAssembledBefore19() throws {
        let harness = try ScriptHarness.withManifest()
        defer { harness.remove() }
        let run = try harness.run(F.master(nodes: 2, template: F.legacyTemplate()), extraEnvironment: ["HARNESS_OLD_KUBEADM": "1"])

        #expect(run.exitCode == 0, "\(run.log)")
        let join = try #require(GuestContract.joinInfo(run.extraConfig, open: F.unseal))
        let words = join.command.split(separator: " ").map(String.init)
        #expect(Array(words.prefix(5)) == ["kubeadm", "join", "192.168.1.10:6443", "--token", Stubs.oldToken])
        #expect(words.count == 7 && words[5] == "--discovery-token-ca-cert-hash")
        #expect(words.last?.hasPrefix("sha256:") == true && words.last?.count == 7 + 64)
        #expect(!run.calls.contains { $0.contains("--print-join-command") })
        #expect(!run.log.contains(Stubs.oldToken))
    }
}
