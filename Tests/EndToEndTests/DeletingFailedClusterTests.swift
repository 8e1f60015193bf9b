import Foundation
import Spec
import Testing
@testable import Reconcile

/// Deleting a cluster that failed for good starts at once: it does not wait out the long back-off of its failure.
@Suite("Deleting a failed cluster")
struct DeletingFailedClusterTests {
    @Test func aPermanentlyFailedClusterIsDeletedWithoutWaitingForItsBackOff() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        // A network the vdc does not have: creating the vApp fails permanently.
        try cloud.apply(Specs.template(), Specs.cluster("bad", network: "no-such-net", nodes: 0))
        guard case .failed(let failures) = try await cloud.converge() else {
            Issue.record("the cluster should have failed")
            return
        }
        #expect(failures.contains { $0.contains("no-such-net") }, "\(failures)")
        try cloud.store.markDeleted(ObjectKey(kind: .cluster, org: "org1", name: "bad"))
        // Well inside the permanent back-off (minutes): the deletion still goes through.
        #expect(try await cloud.converge(timeout: .seconds(30)) == .converged)
        #expect(try cloud.store.object(ObjectKey(kind: .cluster, org: "org1", name: "bad")) == nil)
    }
}
