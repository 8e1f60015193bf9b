import Foundation
import Testing
import VCDSim
@testable import Reconcile

@Suite("Convergence under injected faults")
struct FaultToleranceTests {
    @Test func applyConvergesWith10PercentServerErrorsAnd5PercentFailedTasks() async throws {
        let cloud = try await Cloud.start { options in
            options.seed = 7
            options.faults = [
                FaultRule(kind: .httpError, match: "GET /api/**", probability: 0.10, status: 503),
                FaultRule(kind: .httpError, match: "POST /api/**", probability: 0.10, status: 500),
                FaultRule(kind: .taskFailure, probability: 0.05),
                // Which requests the 5 % hit depends on how concurrent work interleaves; this one always fires.
                FaultRule(kind: .taskFailure, skip: 3, max: 1),
            ]
        }
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("f1", nodes: 2), Specs.cluster("f2", nodes: 1),
                        Specs.cluster("f3", org: "org2", vdc: "org2-vdc", network: "org2-net", nodes: 1))
        // Failed objects back off and retry; the outcome must still be a converged cloud.
        let outcome = try await cloud.reconciler.converge(timeout: .seconds(240), stuckPassesBeforeFailing: 1_000)
        #expect(outcome == .converged)
        let audit = try await cloud.audit()
        #expect(audit.vAppNames == ["f1", "f2", "f3"])
        #expect(audit.vmNames(of: "f1") == ["f1-m1", "f1-n1", "f1-n2"])
        #expect(audit.addresses.count == 7)
        #expect(audit.problems.isEmpty)
        // The faults really happened: server errors on reads and writes, and at least one failed task.
        let summary = try await cloud.faultSummary()
        let fired = { (kind: String) in summary.filter { $0["kind"] as? String == kind }.reduce(0) { $0 + ($1["fired"] as? Int ?? 0) } }
        #expect(summary.filter { $0["kind"] as? String == "http_error" }.allSatisfy { ($0["fired"] as? Int ?? 0) > 0 }, "\(summary)")
        #expect(fired("task_failure") >= 1, "\(summary)")
    }
}
