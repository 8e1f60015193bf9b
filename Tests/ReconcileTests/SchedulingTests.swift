import Foundation
import Observe
import Testing
@testable import Reconcile
import Spec
import Store
import VCDClient

@Suite struct SchedulingTests {
    private func action(_ name: String, org: String = "org1", lane: String? = nil) -> PlannedAction {
        PlannedAction(step: .powerOnVM(vmHref: "https://vcd/api/vApp/vm-\(name)"), object: ObjectKey(kind: .cluster, org: org, name: name),
                      change: .update, target: "VM \(name)", reason: "test", waitsFor: [], lane: lane ?? "vapp:\(name)")
    }

    @Test func oneActionPerLaneAndLimits() {
        let scheduler = Scheduler(limits: Reconciler.Limits(global: 3, perOrg: 2))
        let actions = [action("a"), action("b", lane: "vapp:a"), action("c"), action("d"), action("e", org: "org2"), action("f", org: "org2")]
        let chosen = scheduler.select(actions, running: [], observedFrom: Date(), now: .now)
        #expect(chosen.map(\.object.name) == ["a", "c", "e"], "b shares a's lane, d is over org1's limit, f over the global one")
        let more = scheduler.select(actions, running: [action("a")], observedFrom: Date(), now: .now)
        #expect(more.map(\.object.name) == ["c", "e"])
    }

    @Test func anActionFinishedAfterTheSnapshotBeganIsNotRestartedFromIt() {
        var scheduler = Scheduler(limits: Reconciler.Limits())
        let snapshotStart = Date()
        scheduler.succeeded(action("a"), at: snapshotStart.addingTimeInterval(0.5))
        #expect(scheduler.select([action("a"), action("b")], running: [], observedFrom: snapshotStart, now: .now).map(\.object.name) == ["b"])
        scheduler.observed(from: snapshotStart)
        #expect(scheduler.expectations.pending == 1, "a snapshot older than the finish satisfies nothing")
        let later = snapshotStart.addingTimeInterval(1)
        #expect(scheduler.select([action("a")], running: [], observedFrom: later, now: .now).map(\.object.name) == ["a"])
        scheduler.observed(from: later)
        #expect(scheduler.expectations.pending == 0)
    }

    @Test func failuresAreClassifiedByMinorErrorCode() {
        func vcd(_ status: Int, _ code: String?) -> VCDError { VCDError(status: status, minorErrorCode: code, message: "m", request: "POST /x") }
        #expect(FailureKind.of(vcd(400, "BUSY_ENTITY")) == .transient)
        #expect(FailureKind.of(vcd(404, "RESOURCE_NOT_FOUND")) == .stale)
        #expect(FailureKind.of(vcd(403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN")) == .stale)
        #expect(FailureKind.of(vcd(400, "DUPLICATE_NAME")) == .permanent)
        #expect(FailureKind.of(vcd(400, "BAD_REQUEST")) == .refused)
        #expect(FailureKind.of(vcd(503, nil)) == .transient)
        #expect(FailureKind.of(vcd(404, nil)) == .stale)
        #expect(FailureKind.of(vcd(403, nil)) == .permanent)
        #expect(FailureKind.of(ExecutionError.permanent("x")) == .permanent)
        #expect(FailureKind.of(ExecutionError.transient("x")) == .transient)
    }

    @Test func aStaleFailureIsNotPermanentAndARefusalIsOnlyWhenRepeated() {
        var scheduler = Scheduler(limits: Reconciler.Limits())
        let a = action("a")
        let stale = scheduler.failed(a, kind: .stale, error: "gone", at: Date(), now: .now)
        #expect(!stale)
        #expect(scheduler.permanentFailures.isEmpty)
        let first = scheduler.failed(a, kind: .refused, error: "not powered off", at: Date(), now: .now)
        #expect(!first, "first refusal: plan again")
        let second = scheduler.failed(a, kind: .refused, error: "not powered off", at: Date(), now: .now)
        #expect(second, "refused again from a fresh snapshot")
        let whileUpdating = scheduler.permanentFailure(of: a.object, phase: .updating)
        #expect(whileUpdating == "VM a: not powered off")
        let onceReady = scheduler.permanentFailure(of: a.object, phase: .ready)
        #expect(onceReady == nil, "forgotten once ready")
        #expect(scheduler.permanentFailures.isEmpty)
    }

    @Test func wakeUpsKeepAnEventNobodyWaitedForAndWakeEveryWaiter() async {
        var wakeUps = WakeUps()
        wakeUps.signal()
        let kept = wakeUps.takePending()
        let again = wakeUps.takePending()
        #expect(kept && !again, "an event with no waiter is kept once")
        let box = WakeBox()
        async let first = box.wait()
        async let second = box.wait()
        while await box.waiting < 2 { await Task.yield() }
        await box.signal()
        let woken = await [first, second]
        #expect(woken == [true, true])
        let timedOut = await box.waitThenEnd()
        #expect(!timedOut, "a wait ended without an event returns false")
    }
}

/// WakeUps inside an actor, as the reconciler holds them.
actor WakeBox {
    private var wakeUps = WakeUps()
    var waiting: Int { wakeUps.waiting }

    func wait() async -> Bool {
        await withCheckedContinuation { wakeUps.park(UUID(), $0) }
    }

    func signal() { wakeUps.signal() }

    func waitThenEnd() async -> Bool {
        let id = UUID()
        return await withCheckedContinuation { continuation in
            wakeUps.park(id, continuation)
            wakeUps.end(id)
        }
    }
}
