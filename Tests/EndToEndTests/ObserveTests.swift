import Foundation
import Observe
import Testing
import VCDClient
@testable import Reconcile

@Suite("Observe against the simulator")
struct ObserveTests {
    @Test func theSnapshotHoldsCsesTemplatesAndClustersAndNothingElse() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("obs", nodes: 2))
        #expect(try await cloud.converge() == .converged)
        _ = try await cloud.admin.composeAndWaitForTest("foreign", vdc: "org1-vdc", org: "org1")
        let before = try await cloud.audit()
        let snapshot = try await Observer(session: cloud.admin).observe()
        #expect(snapshot.templates.map(\.name) == ["ubuntu-24.04"])
        #expect(snapshot.templates.first?.org == "cse")
        #expect(snapshot.templates.first?.itemName == "k8s-u-r1")
        #expect(snapshot.templates.first?.isReady == true)
        #expect(snapshot.clusters.map(\.name) == ["obs"])
        let cluster = try #require(snapshot.clusters.first)
        #expect(cluster.org == "org1" && cluster.vdc == "org1-vdc")
        #expect(cluster.vms.map(\.name) == ["obs-m1", "obs-n1", "obs-n2"])
        #expect(cluster.vms.allSatisfy { $0.powerState == .poweredOn && $0.guest == .ready && $0.isTagged })
        #expect(cluster.vms.first?.ipAddress == "10.20.0.10")
        #expect(snapshot.buildVApps.isEmpty)
        // Observing changed nothing.
        let after = try await cloud.audit()
        #expect(after.vAppNames == before.vAppNames && after.addresses == before.addresses)
        #expect(after.raw["runningTasks"] as? Int == 0)
    }

    @Test func aTaskThatOutlivesItsTimeoutEndsTheWait() async throws {
        let cloud = try await Cloud.start { $0.taskSeconds = 5 }
        defer { Task { await cloud.stop() } }
        let vdc = try await cloud.admin.vdc(named: "org2-vdc", org: try await cloud.admin.org(named: "org2"))
        let (_, task) = try await cloud.admin.composeVApp(vdc: vdc, name: "slow", description: "", network: cloud.admin.networks(of: vdc)[0])
        let started = ContinuousClock.now
        do {
            try await cloud.admin.wait(for: try #require(task), timeout: .milliseconds(300), pollInterval: .milliseconds(50))
            Issue.record("the wait did not time out")
        } catch let error as TaskWaitError {
            guard case .timedOut = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
