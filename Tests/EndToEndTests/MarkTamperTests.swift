import Foundation
import Logging
import Observe
import Spec
import Store
import Testing
import VCDClient
import VCDSim
@testable import Reconcile

/// A tenant with edit rights on a cluster's vApp (bob, a vApp User of org1) removes, changes and copies every cse
/// mark he can reach: cse neither duplicates nor destroys anything, nor believes a forged mark, and reports it.
@Suite("Tenants cannot forge or move cse's marks")
struct MarkTamperTests {
    private func bob(_ cloud: Cloud) -> VCDSession {
        VCDSession(baseURL: cloud.server.baseURL, credentials: Credentials(user: "bob", org: "org1", password: "sim-bob"), retry: .none)
    }

    /// An empty vApp made by `session` in `vdc`.
    private func compose(_ session: VCDSession, _ name: String, vdc: String, org: String) async throws -> String {
        let vdcTree = try await session.vdc(named: vdc, org: try await session.org(named: org))
        let (vApp, task) = try await session.composeVApp(vdc: vdcTree, name: name, description: "not cse's", network: session.networks(of: vdcTree)[0])
        if let task { try await session.wait(for: task, pollInterval: .milliseconds(20)) }
        return try #require(vApp["href"])
    }

    private func onePass(_ cloud: Cloud) async throws -> Reconciler.PassReport {
        let report = try await cloud.reconciler.pass()
        await cloud.reconciler.drain()
        return report
    }

    private func expectForbidden(_ work: () async throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
        do {
            try await work()
            Issue.record("a tenant's write to the SYSTEM domain was accepted", sourceLocation: sourceLocation)
        } catch let error as VCDError {
            #expect(error.status == 403, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Every mark on the vApp and its VMs, as the administrator sees them.
    private func marks(_ cloud: Cloud, vApp: String) async throws -> [(href: String, entry: VCDMetadataEntry)] {
        let document = try #require(try await cloud.vApp(vApp))
        var result: [(href: String, entry: VCDMetadataEntry)] = []
        for href in [document["href"]!] + (document.path("Children")?.all("Vm") ?? []).compactMap({ $0["href"] }) {
            result += try await cloud.admin.metadata(of: href).filter { Marks.isMark($0.key) }.map { (href, $0) }
        }
        return result
    }

    @Test func removingChangingAndCopyingEachMarkChangesNothing() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("t1", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        let bob = bob(cloud)
        defer { Task { await bob.logout() } }
        let decoy = try await compose(bob, "decoy", vdc: "org1-vdc", org: "org1")
        let before = try await marks(cloud, vApp: "t1")
        #expect(before.count >= 8)
        #expect(before.allSatisfy { $0.entry.domain == .system })
        for (href, entry) in before {
            // Remove and change in the SYSTEM domain: refused.
            await expectForbidden { _ = try await bob.deleteMetadata(href, key: entry.key, domain: .system) }
            await expectForbidden { _ = try await bob.setMetadataValue(href, .system(entry.key, "forged", visibility: entry.visibility)) }
            await expectForbidden { _ = try await bob.mergeMetadata(href, [.system(entry.key, "forged", visibility: .readOnly)]) }
            // What he can do: change it in the GENERAL domain, and copy it onto his own vApp.
            try await cloud.wait(try await bob.mergeMetadata(href, [.general(entry.key, "forged-\(entry.key)")]))
            try await cloud.wait(try await bob.mergeMetadata(decoy, [.general(entry.key, entry.value)]))
        }
        let vAppsBefore = try await cloud.audit().vAppNames
        let report = try await onePass(cloud)
        #expect(report.plan.actions.filter { $0.change == .create || $0.change == .destroy }.isEmpty, "\(report.plan.actions.map(\.reason))")
        #expect(report.plan.actions.isEmpty)
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vAppNames == vAppsBefore)
        #expect(audit.vAppNames.contains("decoy"))
        // The SYSTEM marks are exactly as cse wrote them.
        let after = try await marks(cloud, vApp: "t1").filter { $0.entry.domain == .system }
        #expect(Set(after.map { "\($0.href) \($0.entry.key)=\($0.entry.value)" }) == Set(before.map { "\($0.href) \($0.entry.key)=\($0.entry.value)" }))
        // Reported: an event and a condition (what `cse describe` shows).
        let object = try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "t1")))
        let status = try cloud.store.status(of: object.uid)
        #expect(status.phase == .ready)
        let condition = try #require(status.condition(MarkReport.condition))
        #expect(condition.status == .false)
        #expect(condition.reason == MarkFinding.Kind.tampered.rawValue)
        #expect(condition.message.contains("decoy") && condition.message.contains("GENERAL"))
        #expect(try cloud.store.events(of: object.uid).contains { $0.reason == "MarkTampered" && $0.type == .warning })
    }

    @Test func theCatalogOrgsAdministratorCannotForgeTemplateMarks() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("t4", nodes: 0))
        #expect(try await cloud.converge() == .converged)
        // An organization administrator of the org that holds cse's catalog.
        let orgAdmin = VCDSession(baseURL: cloud.server.baseURL, credentials: Credentials(user: "cse-admin", org: "cse", password: "sim-cse"), retry: .none)
        defer { Task { await orgAdmin.logout() } }
        let items = try await cloud.admin.query("adminCatalogItem", fields: ["name"])
        let revision = try #require(items.first { $0.name == "k8s-u-r1" }?.href)
        let source = try #require(items.first { $0.name == "ubuntu-24.04-server-cloudimg-amd64.ova" }?.href)
        for entry in try await cloud.admin.metadata(of: revision) where Marks.isMark(entry.key) {
            await expectForbidden { _ = try await orgAdmin.deleteMetadata(revision, key: entry.key, domain: .system) }
            await expectForbidden { _ = try await orgAdmin.setMetadataValue(revision, .system(entry.key, "9", visibility: .readOnly)) }
        }
        // A second "revision" made of the source OVA, and a changed revision number, in the GENERAL domain.
        try await cloud.wait(try await orgAdmin.mergeMetadata(source, [.general(MetadataKey.templateName, "ubuntu-24.04"),
                                                                       .general(MetadataKey.templateRevision, "2")]))
        try await cloud.wait(try await orgAdmin.mergeMetadata(revision, [.general(MetadataKey.templateRevision, "7")]))
        let report = try await onePass(cloud)
        #expect(report.plan.actions.isEmpty, "\(report.plan.actions.map(\.reason))")
        #expect(try await cloud.audit().catalogItems.contains("k8s-u-r1"))
        let template = try #require(try cloud.store.object(.init(kind: .template, org: "", name: "ubuntu-24.04")))
        let condition = try #require(try cloud.store.status(of: template.uid).condition(MarkReport.condition))
        #expect(condition.status == .false)
        #expect(condition.message.contains("ubuntu-24.04-server-cloudimg-amd64.ova") && condition.message.contains("k8s-u-r1"))
        #expect(try cloud.store.events(of: template.uid).contains { $0.reason == "MarkTampered" })
    }

    @Test func aForgedReadyMarkIsNotBelieved() async throws {
        // The master's guest never reports: the cluster cannot become ready.
        let cloud = try await Cloud.start { options in
            options.faults = [FaultRule(kind: .guestFailure, silent: true, role: "master")]
        }
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("t2", nodes: 0))
        // Passes until the master is up (its guest stays silent): waited for, not timed.
        let deadline = ContinuousClock.now + .seconds(120)
        while try await cloud.vm("t2-m1")?["status"] != "POWERED_ON", ContinuousClock.now < deadline {
            _ = try await onePass(cloud)
        }
        let master = try #require(try await cloud.vm("t2-m1")?.href)
        let bob = bob(cloud)
        defer { Task { await bob.logout() } }
        await expectForbidden { _ = try await bob.setMetadataValue(master, .system(MetadataKey.guestReady, "true", visibility: .private)) }
        try await cloud.wait(try await bob.mergeMetadata(master, [.general(MetadataKey.guestReady, "true")]))
        let report = try await onePass(cloud)
        let key = ObjectKey(kind: .cluster, org: "org1", name: "t2")
        #expect(report.plan.assessments[key]?.phase != .ready)
        let snapshot = try await Observer(session: cloud.admin).observe()
        let vm = try #require(snapshot.clusters.first { $0.name == "t2" }?.vms.first)
        #expect(vm.guest != .ready)
        #expect(!vm.isMarkedReady)
        #expect(snapshot.markFindings.contains { $0.kind == .tampered && $0.key == MetadataKey.guestReady && $0.objectName == "t2-m1" })
        #expect(try await cloud.admin.metadata(of: master).contains { $0.domain == .system && $0.key == MetadataKey.guestReady } == false)
    }

    @Test func aSecondClaimantIsAConflictThatIsReportedAndNeitherUsedNorDestroyed() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("t3", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        let object = try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "t3")))
        // Two SYSTEM-domain claimants (only an administrator can make them): one in the right vdc, one in another org.
        let sameOrg = try await compose(cloud.admin, "claimant", vdc: "org1-vdc", org: "org1")
        let otherOrg = try await compose(cloud.admin, "elsewhere", vdc: "org2-vdc", org: "org2")
        for href in [sameOrg, otherOrg] {
            try await cloud.wait(try await cloud.admin.writeMarks(href, [(MetadataKey.clusterID, object.uid), (MetadataKey.clusterOrg, "org1")]))
        }
        let names = try await cloud.audit().vAppNames
        let report = try await onePass(cloud)
        #expect(report.plan.actions.isEmpty, "\(report.plan.actions.map(\.reason))")
        let assessment = try #require(report.plan.assessments[object.key])
        #expect(assessment.phase == .failed)
        #expect(assessment.failure?.contains("claim cluster") == true)
        #expect(try await cloud.audit().vAppNames == names)
        let status = try cloud.store.status(of: object.uid)
        #expect(status.condition(MarkReport.condition)?.reason == MarkFinding.Kind.conflict.rawValue)
        #expect(try cloud.store.events(of: object.uid).contains { $0.reason == "MarkConflict" })
        // The org2 claimant alone is still not believed: it is not where the cluster's spec puts it.
        try await cloud.wait(try await cloud.admin.deleteMetadata(sameOrg, key: MetadataKey.clusterID, domain: .system))
        let second = try await onePass(cloud)
        #expect(second.plan.actions.isEmpty)
        #expect(try cloud.store.status(of: object.uid).condition(MarkReport.condition)?.message.contains("org2") == true)
        // Once only the real vApp claims it, the cluster is itself again.
        try await cloud.wait(try await cloud.admin.deleteMetadata(otherOrg, key: MetadataKey.clusterID, domain: .system))
        #expect(try await cloud.converge() == .converged)
        #expect(try cloud.store.status(of: object.uid).condition(MarkReport.condition)?.status == .true)
        #expect(try await cloud.audit().vAppNames == names)
    }

    @Test func afterApplyEveryCseEntryIsInTheSystemDomain() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("s1", nodes: 2))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        var entries: [[String: Any]] = audit.vApps
        for vApp in audit.vApps { entries += vApp["vms"] as? [[String: Any]] ?? [] }
        entries += audit.raw["catalogItems"] as? [[String: Any]] ?? []
        var systemKeys = Set<String>()
        for entity in entries {
            let general = entity["metadata"] as? [String: String] ?? [:]
            #expect(general.keys.filter(Marks.isMark).isEmpty, "GENERAL-domain cse keys on \(entity["name"] ?? "?"): \(general)")
            let system = entity["systemMetadata"] as? [String: String] ?? [:]
            let visibility = entity["systemVisibility"] as? [String: String] ?? [:]
            for key in system.keys {
                #expect(visibility[key] == Marks.visibility[key]?.rawValue, "\(key)")
                systemKeys.insert(key)
            }
        }
        for key in [MetadataKey.clusterID, MetadataKey.nodeRole, MetadataKey.guestReady, MetadataKey.specHash, MetadataKey.templateName,
                    MetadataKey.sourceSHA1] where key != MetadataKey.sourceSHA1 {
            #expect(systemKeys.contains(key), "\(key) was not written in the SYSTEM domain")
        }
    }
}
