import Foundation
import Spec

/// What the reconciler did that a snapshot may not show yet (as controller-runtime's expectations): an object whose
/// action finished after a snapshot began is not acted on from that snapshot, which may still show the world
/// before the action. The next observation, begun after the finish, shows it and lifts the expectation.
struct Expectations: Sendable {
    private var finishedAt: [ObjectKey: Date] = [:]

    mutating func actionFinished(for object: ObjectKey, at time: Date) {
        finishedAt[object] = max(time, finishedAt[object] ?? time)
    }

    /// Whether a snapshot begun at `observedFrom` can be trusted for `object`.
    func isSatisfied(_ object: ObjectKey, observedFrom: Date) -> Bool {
        guard let finished = finishedAt[object] else { return true }
        return observedFrom > finished
    }

    /// Forgets what a snapshot begun at `observedFrom` already shows.
    mutating func observed(from observedFrom: Date) {
        finishedAt = finishedAt.filter { $0.value >= observedFrom }
    }

    var pending: Int { finishedAt.count }
}
