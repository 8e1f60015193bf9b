import Foundation
import Observe
import Testing
@testable import Reconcile
import Spec
@testable import Store

/// The status a pass writes comes only from what the pass read; unchanged rows are not written; tenant tasks end
/// from the generation the pass judged.
@Suite struct StatusProjectionTests {
    private func stored(_ cluster: DesiredState.Cluster, generation: Int) -> StoredObject {
        StoredObject(uid: cluster.uid, object: .cluster(cluster.spec), specHash: cluster.specHash, generation: generation, owner: .admin,
                     createdAt: Date(), updatedAt: Date(), deletionRequestedAt: nil)
    }

    private func project(generation: Int, vms: [ObservedVM], previous: [String: ObjectStatus] = [:]) -> StatusProjection {
        let cluster = D.cluster(nodes: 2)
        let snapshot = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage], clusters: [D.clusterVApp(vms: vms)])
        let plan = D.plan(DesiredState(templates: [D.template()], clusters: [cluster]), snapshot)
        return StatusProjection.project(objects: [stored(cluster, generation: generation)], previous: previous, plan: plan, snapshot: snapshot,
                                        now: Date())
    }

    @Test func aConvergedObjectWritesNothingTheSecondTime() throws {
        let first = project(generation: 1, vms: D.healthy())
        let change = try #require(first.changes.first)
        #expect(change.status.phase == .ready && change.status.observedGeneration == 1 && change.event?.reason == "Ready")
        #expect(change.status.observed?.vAppHref == "https://vcd/api/vApp/vapp-c1" && change.status.observed?.nodeNames == ["c1-n1", "c1-n2"])
        let second = project(generation: 1, vms: D.healthy(), previous: ["uid-c1": change.status])
        #expect(second.changes.isEmpty)
        #expect(second.judged["uid-c1"] == StatusProjection.Judgement(generation: 1, phase: .ready, failure: nil, settled: true))
    }

    @Test func anObjectWithActionsLeftKeepsItsObservedGeneration() throws {
        let previous = ObjectStatus(phase: .ready, observedGeneration: 1)
        let projection = project(generation: 2, vms: [D.vm("c1-m1")], previous: ["uid-c1": previous])
        let status = try #require(projection.changes.first?.status)
        #expect(status.observedGeneration == 1, "generation 2 still has nodes to add")
        #expect(projection.judged["uid-c1"]?.settled == false)
    }

    @Test func tenantTasksEndFromTheJudgedGeneration() {
        let task = TenantTask(id: 1, objectUID: "uid-c1", operation: .resize, targetGeneration: 2, org: "org1", user: "alice",
                              taskHref: "https://vcd/api/task/1", state: .running, message: nil)
        let judgedOld = StatusProjection.Judgement(generation: 1, phase: .ready, failure: nil, settled: true)
        #expect(TenantTaskCompleter.outcome(of: task, judgement: judgedOld, name: "c1", isDeleting: false) == nil,
                "a pass that read generation 1 does not end a task for generation 2")
        #expect(TenantTaskCompleter.outcome(of: task, judgement: nil, name: "c1", isDeleting: false) == nil)
        let judgedNew = StatusProjection.Judgement(generation: 2, phase: .ready, failure: nil, settled: true)
        #expect(TenantTaskCompleter.outcome(of: task, judgement: judgedNew, name: "c1", isDeleting: false)?.success == true)
        let failed = StatusProjection.Judgement(generation: 2, phase: .failed, failure: "no IP addresses", settled: true)
        #expect(TenantTaskCompleter.outcome(of: task, judgement: failed, name: "c1", isDeleting: false)?.message == "no IP addresses")
    }
}
