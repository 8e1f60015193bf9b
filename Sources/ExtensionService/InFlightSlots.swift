import Synchronization

/// Counts the requests a consumer serves at once, and lets its receive loop wait for one to finish when all slots
/// are taken, or (when it stops) for all of them. Only the receive loop waits.
final class InFlightSlots: Sendable {
    private struct State {
        var taken = 0
        var waiter: CheckedContinuation<Void, Never>?
        var allReleased: CheckedContinuation<Void, Never>?
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false when all are taken.
    func take() -> Bool {
        state.withLock { state in
            guard state.taken < limit else { return false }
            state.taken += 1
            return true
        }
    }

    func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.taken -= 1
            var waiters = [state.waiter].compactMap { $0 }
            state.waiter = nil
            if state.taken == 0, let allReleased = state.allReleased {
                waiters.append(allReleased)
                state.allReleased = nil
            }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every slot is free (at once when all already are).
    func waitUntilAllReleased() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let freeAlready = state.withLock { state -> Bool in
                guard state.taken > 0 else { return true }
                state.allReleased = continuation
                return false
            }
            if freeAlready { continuation.resume() }
        }
    }

    /// Returns once a slot is free (at once when one already is).
    func waitForOne() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let freeAlready = state.withLock { state -> Bool in
                guard state.taken >= limit else { return true }
                state.waiter = continuation
                return false
            }
            if freeAlready { continuation.resume() }
        }
    }
}
