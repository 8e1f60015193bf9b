import Foundation
import Testing
import VCDSim
@testable import Reconcile

@Suite("Guest bootstrap through the reconciler")
struct BootstrapFailureTests {
    @Test func aFailedMasterBootstrapShowsItsReasonAndIsRetriedByReplacingTheVM() async throws {
        let cloud = try await Cloud.start { options in
            options.faults = [FaultRule(kind: .guestFailure, max: 1, phase: "kubeadm-init", reason: "kubeadm init: preflight checks failed (injected)",
                                        role: "master")]
        }
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("bf", nodes: 1))
        let outcome = try await cloud.reconciler.converge(timeout: .seconds(90), stuckPassesBeforeFailing: 1_000)
        #expect(outcome == .converged)
        let object = try #require(try cloud.store.object(.init(kind: .cluster, org: "org1", name: "bf")))
        let events = try cloud.store.events(of: object.uid)
        // The failure was recorded with the guest's reason, then the master was replaced and the cluster became ready.
        let failure = try #require(events.first { $0.message.contains("preflight checks failed") })
        #expect(failure.type == .warning)
        #expect(events.contains { $0.message.contains("removed") && $0.message.contains("bf-m1") })
        #expect(events.last { $0.reason == "Ready" } != nil)
        #expect(try cloud.store.status(of: object.uid).phase == .ready)
        #expect(try await cloud.audit().vmNames(of: "bf") == ["bf-m1", "bf-n1"])
    }

    @Test func aClusterIsReadyOnlyAfterItsGuestsReport() async throws {
        let cloud = try await Cloud.start { options in
            options.bootSeconds = 1.0
        }
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("slow", nodes: 1))
        var sawWaitingOnGuests = false
        var outcome = Reconciler.ConvergeOutcome.timedOut
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let report = try await cloud.reconciler.pass()
            let assessment = report.plan.assessments[.init(kind: .cluster, org: "org1", name: "slow")]
            let vms = try await cloud.audit().vmStatuses(of: "slow")
            if !vms.isEmpty, vms.allSatisfy({ $0 == 4 }), assessment?.phase != .ready { sawWaitingOnGuests = true }
            if report.plan.isEmpty && report.inFlight == 0 && assessment?.phase == .ready { outcome = .converged; break }
            await cloud.reconciler.waitForChange(timeout: .milliseconds(200))
        }
        #expect(outcome == .converged)
        #expect(sawWaitingOnGuests, "the cluster was never seen running but not yet ready")
    }
}
