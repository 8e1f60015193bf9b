import Foundation
import Testing
import VCDClient
@testable import Reconcile

@Suite("Reconcile end to end on the simulator")
struct ApplyTests {
    @Test(arguments: Cloud.releases)
    func applyFromEmptyThenReapplyIsANoOp(release: String) async throws {
        let cloud = try await Cloud.start(release: release)
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("demo", nodes: 2))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vAppNames == ["demo"])
        #expect(audit.vmNames(of: "demo") == ["demo-m1", "demo-n1", "demo-n2"])
        #expect(audit.vmStatuses(of: "demo") == [4, 4, 4])
        #expect(audit.catalogItems.contains("k8s-u-r1"))
        #expect(audit.problems.isEmpty)
        // The template's build vApp is gone (cleanup) and its address back in the pool.
        #expect(audit.addresses == ["10.20.0.10", "10.20.0.11", "10.20.0.12"])
        let status = try cloud.store.status(of: try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "demo"))).uid)
        #expect(status.phase == .ready)
        #expect(status.observed?.masterIP == "10.20.0.10")
        // Re-applying the same specs plans nothing.
        try cloud.apply(Specs.template(), Specs.cluster("demo", nodes: 2))
        let plan = try await cloud.reconciler.plan()
        #expect(plan.isEmpty, "\(plan.actions.map(\.target))")
    }

    @Test(arguments: Cloud.releases)
    func scaleUpAndDownRemovesNewestNodesFirstThenDelete(release: String) async throws {
        let cloud = try await Cloud.start(release: release)
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 3))
        #expect(try await cloud.converge() == .converged)
        #expect(try await cloud.audit().vmNames(of: "c1") == ["c1-m1", "c1-n1", "c1-n2", "c1-n3"])
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        var audit = try await cloud.audit()
        #expect(audit.vmNames(of: "c1") == ["c1-m1", "c1-n1"])
        #expect(audit.addresses == ["10.20.0.10", "10.20.0.11"])
        // Deleting the spec deletes the cluster and returns its addresses.
        try cloud.apply(Specs.template())
        #expect(try await cloud.converge() == .converged)
        audit = try await cloud.audit()
        #expect(audit.vAppNames.isEmpty)
        #expect(audit.addresses.isEmpty)
        #expect(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "c1")) == nil)
        #expect(audit.problems.isEmpty)
    }

    @Test(arguments: Cloud.releases)
    func nodesAreResizedInCPUAndMemory(release: String) async throws {
        let cloud = try await Cloud.start(release: release)
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("r1", nodes: 1, nodeCPU: 2, nodeMemoryMB: 2048))
        #expect(try await cloud.converge() == .converged)
        #expect(try await cloud.audit().vmSizes(of: "r1")["r1-n1"] == [2, 2048])
        try cloud.apply(Specs.template(), Specs.cluster("r1", nodes: 1, nodeCPU: 4, nodeMemoryMB: 4096))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vmSizes(of: "r1")["r1-n1"] == [4, 4096])
        #expect(audit.vmStatuses(of: "r1") == [4, 4])
        #expect(audit.problems.isEmpty)
    }

    @Test func singleNodeClusterAndTwoOrgs() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("solo", nodes: 0), Specs.cluster("c2", org: "org2", vdc: "org2-vdc", network: "org2-net", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vmNames(of: "solo") == ["solo-m1"])
        #expect(audit.vmNames(of: "c2") == ["c2-m1", "c2-n1"])
        #expect(audit.addresses.contains("10.30.0.10"))
    }

    @Test func noCaptureKeepsTheBuildVAppRunningForInspection() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(capture: false))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vAppNames == ["csetmp-u"])
        #expect(audit.vmStatuses(of: "csetmp-u") == [4])
        #expect(!audit.catalogItems.contains { $0.hasPrefix("k8s-u") })
    }

    @Test func uninstallRemovesTheTemplateOnceNoClusterUsesIt() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template())
        #expect(try await cloud.converge() == .converged)
        #expect(try await cloud.audit().catalogItems.contains("k8s-u-r1"))
        try cloud.apply()
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        #expect(!audit.catalogItems.contains("k8s-u-r1"))
        // The source OVA cse did not create stays.
        #expect(audit.catalogItems.contains("ubuntu-24.04-server-cloudimg-amd64.ova"))
    }
}
