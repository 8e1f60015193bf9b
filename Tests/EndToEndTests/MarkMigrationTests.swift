import Foundation
import Observe
import Spec
import Testing
import VCDClient
@testable import Reconcile

/// An installation whose marks an earlier cse wrote in the GENERAL domain: the next pass moves them into the SYSTEM
/// domain, once, on cse's own objects only, without creating or destroying anything.
@Suite("Migration of GENERAL-domain marks")
struct MarkMigrationTests {
    /// Every entity with cse marks, and its marks, as the administrator sees them.
    private func markedEntities(_ cloud: Cloud) async throws -> [String: [VCDMetadataEntry]] {
        var hrefs: [String] = []
        for vApp in try await cloud.admin.query("adminVApp") {
            guard let href = vApp.href else { continue }
            hrefs.append(href)
            hrefs += (try await cloud.admin.get(href).path("Children")?.all("Vm") ?? []).compactMap { $0["href"] }
        }
        hrefs += try await cloud.admin.query("adminCatalogItem").compactMap(\.href)
        var result: [String: [VCDMetadataEntry]] = [:]
        for href in hrefs {
            let marks = try await cloud.admin.metadata(of: href).filter { Marks.isMark($0.key) }
            if !marks.isEmpty { result[href] = marks }
        }
        return result
    }

    @Test func generalMarksOfCsesOwnObjectsMoveToTheSystemDomainOnce() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("old", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        let converged = try await markedEntities(cloud)
        // What an earlier cse left: the same marks, in the GENERAL domain.
        for (href, marks) in converged {
            try await cloud.wait(try await cloud.admin.mergeMetadata(href, marks.map { .general($0.key, $0.value) }))
            for mark in marks { try await cloud.wait(try await cloud.admin.deleteMetadata(href, key: mark.key, domain: .system)) }
        }
        // A tenant's vApp with a copy of the cluster's id is not cse's: it is not migrated.
        let uid = try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "old"))).uid
        let vdc = try await cloud.admin.vdc(named: "org1-vdc", org: try await cloud.admin.org(named: "org1"))
        let (decoy, task) = try await cloud.admin.composeVApp(vdc: vdc, name: "decoy", description: "a tenant's", network: cloud.admin.networks(of: vdc)[0])
        if let task { try await cloud.wait(task) }
        let decoyHref = try #require(decoy["href"])
        try await cloud.wait(try await cloud.admin.mergeMetadata(decoyHref, [.general(MetadataKey.clusterID, uid)]))
        let namesBefore = try await cloud.audit().vAppNames

        let report = try await cloud.reconciler.pass()
        await cloud.reconciler.drain()
        #expect(report.plan.actions.filter { $0.change == .create || $0.change == .destroy }.isEmpty, "\(report.plan.actions.map(\.reason))")
        #expect(try await cloud.converge() == .converged)
        #expect(try await cloud.audit().vAppNames == namesBefore)
        let migrated = try await markedEntities(cloud)
        for (href, marks) in converged {
            let now = try #require(migrated[href])
            #expect(now.allSatisfy { $0.domain == .system }, "\(href): \(now)")
            #expect(Set(now.map { "\($0.key)=\($0.value)" }) == Set(marks.map { "\($0.key)=\($0.value)" }), "\(href)")
        }
        #expect(migrated[decoyHref] == [.general(MetadataKey.clusterID, uid)])
        // Once: the next pass has nothing to move, and the copy on the tenant's vApp stays reported.
        let again = try await cloud.reconciler.pass()
        await cloud.reconciler.drain()
        #expect(again.plan.actions.isEmpty)
        #expect(try await markedEntities(cloud).count == migrated.count)
        let status = try cloud.store.status(of: uid)
        #expect(status.condition(MarkReport.condition)?.message.contains("decoy") == true)

        // A migration cut short after writing the SYSTEM entry (the GENERAL twin, same value, still there) is finished.
        let clusterVApp = try #require(try await cloud.vApp("old")?["href"])
        try await cloud.wait(try await cloud.admin.mergeMetadata(clusterVApp, [.general(MetadataKey.clusterID, uid), .general(MetadataKey.specHash, "stale")]))
        let resumed = try await cloud.reconciler.pass()
        await cloud.reconciler.drain()
        #expect(resumed.plan.actions.isEmpty)
        let left = try await cloud.admin.metadata(of: clusterVApp).filter { $0.domain == .general }
        // The twin is gone; a GENERAL value that disagrees with cse's SYSTEM one is a tenant's: left alone, never believed.
        #expect(left == [.general(MetadataKey.specHash, "stale")])
        #expect(try await cloud.admin.metadata(of: clusterVApp).contains(.system(MetadataKey.clusterID, uid, visibility: .readOnly)))
    }
}
