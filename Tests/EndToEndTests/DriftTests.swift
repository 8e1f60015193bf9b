import Foundation
import Testing
import VCDClient
@testable import Reconcile

@Suite("Drift repaired by the loop")
struct DriftTests {
    /// A converged one-node cluster `d1` in org1.
    private func converged() async throws -> Cloud {
        let cloud = try await Cloud.start()
        try cloud.apply(Specs.template(), Specs.cluster("d1", nodes: 1), Specs.cluster("d2", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        return cloud
    }

    /// One pass of the loop, then the actions it started run to their end.
    private func onePass(_ cloud: Cloud) async throws -> Reconciler.PassReport {
        let report = try await cloud.reconciler.pass()
        await cloud.reconciler.drain()
        return report
    }

    @Test func aNodeDeletedOutsideCseIsRecreatedInOnePass() async throws {
        let cloud = try await converged()
        defer { Task { await cloud.stop() } }
        let node = try #require(try await cloud.vm("d1-n1"))
        try await cloud.wait(try await cloud.admin.undeploy(node.href!))
        try await cloud.wait(try await cloud.admin.delete(node.href!))
        #expect(try await cloud.audit().vmNames(of: "d1") == ["d1-m1"])
        let report = try await onePass(cloud)
        #expect(report.started.map(\.target).contains { $0.contains("d1-n1") })
        let audit = try await cloud.audit()
        #expect(audit.vmNames(of: "d1") == ["d1-m1", "d1-n1"])
        #expect(audit.vmStatuses(of: "d1") == [4, 4])
        #expect(try await cloud.converge() == .converged)
        #expect(audit.problems.isEmpty)
    }

    @Test func aPoweredOffVMIsPoweredOnInOnePass() async throws {
        let cloud = try await converged()
        defer { Task { await cloud.stop() } }
        let master = try #require(try await cloud.vm("d2-m1"))
        try await cloud.wait(try await cloud.admin.undeploy(master.href!))
        #expect(try await cloud.vm("d2-m1")?["status"] == "POWERED_OFF")
        _ = try await onePass(cloud)
        #expect(try await cloud.vm("d2-m1")?["status"] == "POWERED_ON")
    }

    @Test func aVMThatTheSpecDoesNotWantIsRemovedInOnePass() async throws {
        let cloud = try await converged()
        defer { Task { await cloud.stop() } }
        let vApp = try #require(try await cloud.vApp("d1"))
        let templateItem = try await cloud.admin.query("adminCatalogItem", filter: "name==k8s-u-r1", fields: ["entity"])[0]
        let templateVM = try await cloud.admin.get(templateItem["entity"]!).path("Children")!.all("Vm")[0]["href"]!
        try await cloud.wait(try await cloud.admin.addVMs(to: vApp, [SourcedVM(name: "d1-n7", templateVMHref: templateVM, network: "intranet")]))
        _ = try await onePass(cloud)
        #expect(try await cloud.audit().vmNames(of: "d1") == ["d1-m1", "d1-n1"])
    }

    @Test func aVAppDeletedOutsideCseIsRecreatedAndForeignVAppsAreLeftAlone() async throws {
        let cloud = try await converged()
        defer { Task { await cloud.stop() } }
        _ = try await cloud.admin.composeAndWaitForTest("someone-elses", vdc: "org1-vdc", org: "org1")
        let vApp = try #require(try await cloud.vApp("d2"))
        try await cloud.wait(try await cloud.admin.undeploy(vApp["href"]!))
        try await cloud.wait(try await cloud.admin.delete(vApp["href"]!))
        let report = try await onePass(cloud)
        #expect(report.started.contains { $0.target.contains("vApp d2") })
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vmNames(of: "d2") == ["d2-m1", "d2-n1"])
        #expect(audit.vAppNames == ["d1", "d2", "someone-elses"])
        #expect(audit.problems.isEmpty)
    }
}

extension VCDSession {
    func composeAndWaitForTest(_ name: String, vdc: String, org: String) async throws -> XMLTree {
        let vdcTree = try await self.vdc(named: vdc, org: try await self.org(named: org))
        let (vApp, task) = try await composeVApp(vdc: vdcTree, name: name, description: "not cse's", network: networks(of: vdcTree)[0])
        if let task { try await wait(for: task, pollInterval: .milliseconds(20)) }
        return vApp
    }
}
