import Bootstrap
import Foundation
import GuestSecrets
import Observe
import Testing
import VCDClient
import VCDSim
@testable import Reconcile

/// Today's images bootstrap through cloud-init: cse sets `guestinfo.userdata` before power-on and the simulated guest
/// runs what it finds there, failing as a real guest would.
@Suite("Cloud-init bootstrap")
struct CloudInitTests {
    private func extraConfig(_ cloud: Cloud, vm name: String) async throws -> [String: String] {
        let href = try #require(try await cloud.vm(name)?.href)
        return VMDocument.extraConfig(of: try await cloud.admin.get(href))
    }

    /// Cluster VMs get their bootstrap as user data before power-on (a simulated cloud-init guest runs nothing else,
    /// so a ready guest ran it); once a guest reported done, cse removes its user data (a node's held the join
    /// command) and, once every node joined, has the master revoke the token it handed out: nothing secret stays
    /// readable, and the master publishes a fresh token for nodes added later.
    @Test func clusterVMsGetTheirBootstrapAsUserDataWhichGoesOnceTheyJoined() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("ci", nodes: 1))
        #expect(try await cloud.converge() == .converged)

        for name in ["ci-m1", "ci-n1"] {
            let extra = try await extraConfig(cloud, vm: name)
            #expect(GuestContract.report(extra) == .ready, "\(name)")
            #expect(!CloudInitUserData.hasUserData(extra) && extra[CloudInitUserData.encodingKey] == nil, "\(name): user data left")
        }
        let master = try await extraConfig(cloud, vm: "ci-m1")
        let revoked = try #require(master[GuestContract.joinRevokeKey], "the node's token was not revoked")
        #expect(revoked.count == 6, "a token id, never the secret half")
        #expect(master[GuestContract.joinTokenIDKey] != nil && master[GuestContract.joinTokenIDKey] != revoked, "a fresh token is published")
        let keys = cloud.keys
        #expect(GuestContract.joinInfo(master, open: { try keys.open($0) }) != nil, "nodes added later can join")
        let object = try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "ci")))
        let messages = try cloud.store.events(of: object.uid).map(\.message)
        #expect(messages.contains { $0.contains("cleared the user data of") && $0.contains("ci-n1") && $0.contains("revoke join token \(revoked)") }, "\(messages)")

        // Another user of the org reads the VMs as vCD shows them to her: the master's secrets only as ciphertext, no
        // user data, no join command or kubeconfig credentials anywhere.
        let alice = VCDSession(baseURL: cloud.server.baseURL, credentials: Credentials(user: "alice", org: "org1", password: "sim-alice"),
                               retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10)))
        for name in ["ci-m1", "ci-n1"] {
            let href = try #require(try await cloud.vm(name)?.href)
            let seen = VMDocument.extraConfig(of: try await alice.get(href))
            #expect(seen[GuestContract.statusKey] == "done", "alice reads \(name)")
            #expect(!CloudInitUserData.hasUserData(seen))
            for key in GuestContract.secretKeys where name == "ci-m1" {
                #expect(seen[key].map(SealedSecret.isSealed) == true, "\(key) is ciphertext")
            }
            #expect(seen.values.allSatisfy { !$0.contains("kubeadm join") && !$0.contains("client-key-data") && !$0.contains("--token") })
        }
        await alice.logout()

        // A node added later joins with the fresh token, which is revoked in turn.
        try cloud.apply(Specs.template(), Specs.cluster("ci", nodes: 2))
        #expect(try await cloud.converge() == .converged)
        let after = try await extraConfig(cloud, vm: "ci-m1")
        #expect(after[GuestContract.joinRevokeKey] == master[GuestContract.joinTokenIDKey], "the second token was revoked too")
        #expect(!CloudInitUserData.hasUserData(try await extraConfig(cloud, vm: "ci-n2")))

        let audit = try await cloud.audit(knownSecrets: [Cloud.rootPassword])
        #expect(audit.problems.isEmpty)
        #expect(audit.secretsInClear.isEmpty, "\(audit.secretsInClear)")
    }

    @Test func aManifestWithAnotherDigestFailsTheTemplateBuild() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        let wrong = String(repeating: "0", count: 64)
        try cloud.apply(Specs.template(cni: "{plugin: calico, version: 3.29.1, sha256: \(wrong)}"))
        // The build fails in its images phase and is built again (and fails again): the reason is in the events.
        let object = try #require(try cloud.store.object(.init(kind: .template, org: "", name: "ubuntu-24.04")))
        var messages: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, !messages.contains(where: { $0.contains("does not have SHA-256 \(wrong)") }) {
            _ = try await cloud.reconciler.pass()
            messages = try cloud.store.events(of: object.uid).map(\.message)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(messages.contains { $0.contains("phase images") && $0.contains("does not have SHA-256 \(wrong)") }, "\(messages)")
        #expect(try await cloud.audit().catalogItems.allSatisfy { !$0.hasPrefix("k8s-u") }, "nothing was captured")
    }

    @Test func aMissingRootPasswordStopsTheBuildBeforeAnyVCDChange() async throws {
        let cloud = try await Cloud.start(environment: [:])
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template())
        let outcome = try await cloud.converge(timeout: .seconds(90))
        guard case .failed(let failures) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(failures.joined().contains("CSE_TEMPLATE_ROOT_PASSWORD"), "\(failures)")
        #expect(try await cloud.audit().vAppNames.isEmpty, "no build vApp was made")
    }

    @Test func aCloudInitImageIgnoresCustomizationScriptsAndNeedsUserData() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        let admin = cloud.admin
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        let item = try #require(admin.catalogItems(of: catalog).first { $0.name == "ubuntu-24.04-server-cloudimg-amd64.ova" })
        let template = try await admin.templateOfItem(item.href)
        let vdc = try await admin.vdc(named: "cse-vdc", org: try await admin.org(named: "cse"))
        let network = try #require(admin.networks(of: vdc).first)
        let script = try BootstrapScripts(sealingKey: GuestContract.SealingKey(await Cloud.sharedKeys().current), environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "x"]).templateBootstrap(for: try #require(
            try SpecLoaderFixture.template())).script
        // A customization script only: the guest never runs it.
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!,
                                                       templateVM: template.path("Children")!.all("Vm")[0], name: "scripted",
                                                       network: network, ipAllocationMode: "POOL", customizationScript: script)
        try await cloud.wait(try #require(task))
        try await Task.sleep(for: .milliseconds(400))
        let vmHref = try #require(try await admin.get(vApp["href"]!).path("Children")?.all("Vm").first?["href"])
        #expect(GuestContract.report(VMDocument.extraConfig(of: try await admin.get(vmHref))) == .notStarted)
        // The same script as user data, set before the first power-on: the guest runs it.
        let (second, secondTask) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!,
                                                               templateVM: template.path("Children")!.all("Vm")[0], name: "userdata",
                                                               network: network, ipAllocationMode: "POOL", customizationScript: nil, powerOn: false)
        try await cloud.wait(try #require(secondTask))
        let secondVM = try #require(try await admin.get(second["href"]!).path("Children")?.all("Vm").first?["href"])
        try await cloud.wait(try await admin.setExtraConfig(vmHref: secondVM, CloudInitUserData.extraConfig(script: script)))
        try await cloud.wait(try await admin.powerOn(secondVM))
        var report = GuestContract.Report.notStarted
        for _ in 0..<200 where report != .ready {
            try await Task.sleep(for: .milliseconds(50))
            report = GuestContract.report(VMDocument.extraConfig(of: try await admin.get(secondVM)))
        }
        #expect(report == .ready)
    }
}

import Spec

enum SpecLoaderFixture {
    static func template() throws -> TemplateSpec? {
        try SpecLoader().load(sources: [(file: "t.yaml", text: Specs.template())]).templates.first
    }
}
