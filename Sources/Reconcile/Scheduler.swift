import Foundation
import Spec
import Store

/// Chooses which runnable actions start now: at most `global` at once and `perOrg` per org, one per lane (vCD allows
/// one change per vApp), none for an object backing off after a failure, none from a snapshot that predates the
/// object's last finished action (expectations). Also keeps the failure bookkeeping that decides back-off.
struct Scheduler: Sendable {
    var limits: Reconciler.Limits
    private(set) var backoff = Backoff()
    private(set) var expectations = Expectations()
    /// Objects whose last action failed permanently, with the failure.
    private(set) var permanentFailures: [ObjectKey: String] = [:]
    /// Objects whose last action vCD refused (BAD_REQUEST): a second refusal from a fresh snapshot is permanent.
    private var refused: Set<ObjectKey> = []

    init(limits: Reconciler.Limits) {
        self.limits = limits
    }

    func select(_ runnable: [PlannedAction], running: [PlannedAction], observedFrom: Date,
                now: ContinuousClock.Instant) -> [PlannedAction] {
        var perOrg: [String: Int] = [:]
        for action in running { perOrg[action.object.org, default: 0] += 1 }
        var lanesTaken = Set(running.map(\.lane))
        var count = running.count
        var chosen: [PlannedAction] = []
        for action in runnable {
            guard count < limits.global else { break }
            guard !lanesTaken.contains(action.lane), perOrg[action.object.org, default: 0] < limits.perOrg,
                  backoff.isReady(action.object.description, now: now),
                  expectations.isSatisfied(action.object, observedFrom: observedFrom) else { continue }
            lanesTaken.insert(action.lane)
            perOrg[action.object.org, default: 0] += 1
            count += 1
            chosen.append(action)
        }
        return chosen
    }

    /// A snapshot begun at `from` was taken: expectations it satisfies are dropped.
    mutating func observed(from: Date) {
        expectations.observed(from: from)
    }

    mutating func succeeded(_ action: PlannedAction, at time: Date) {
        backoff.succeeded(action.object.description)
        permanentFailures[action.object] = nil
        refused.remove(action.object)
        expectations.actionFinished(for: action.object, at: time)
    }

    /// Records a failure; returns whether it counts as permanent.
    @discardableResult
    mutating func failed(_ action: PlannedAction, kind: FailureKind, error: String, at time: Date, now: ContinuousClock.Instant) -> Bool {
        var permanent = kind == .permanent
        if kind == .refused {
            permanent = refused.contains(action.object)
            refused.insert(action.object)
        } else {
            refused.remove(action.object)
        }
        backoff.failed(action.object.description, permanent: permanent, now: now)
        if permanent { permanentFailures[action.object] = "\(action.target): \(error)" }
        // A failed action may still have changed vCD (a task that failed half-way): the same expectation holds.
        expectations.actionFinished(for: action.object, at: time)
        return permanent
    }

    /// A deletion was just requested: it starts without the back-off (or the failure) of the object's earlier actions.
    mutating func forgetFailures(of object: ObjectKey) {
        backoff.succeeded(object.description)
        permanentFailures[object] = nil
        refused.remove(object)
    }

    /// The permanent failure of an object that is still not ready; forgets it once the object is ready.
    mutating func permanentFailure(of object: ObjectKey, phase: ObjectStatus.Phase?) -> String? {
        guard let failure = permanentFailures[object] else { return nil }
        guard let phase, phase != .ready else {
            permanentFailures[object] = nil
            return nil
        }
        return failure
    }

    func nextDue(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        backoff.nextReady(after: now)
    }
}
