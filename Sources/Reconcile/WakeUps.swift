import Foundation

/// The reconciler's wake-ups: waiters parked until an event (an action ended, a poke), a deadline or cancellation.
/// An event while nobody waits is kept, so the next wait returns at once: no event is lost between two waits.
struct WakeUps {
    private var pending = false
    private var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]

    /// An event: wakes every waiter with `true`, or is kept for the next wait.
    mutating func signal() {
        guard !waiters.isEmpty else {
            pending = true
            return
        }
        let woken = waiters.values
        waiters.removeAll()
        for waiter in woken { waiter.resume(returning: true) }
    }

    /// Takes a kept event, if any.
    mutating func takePending() -> Bool {
        defer { pending = false }
        return pending
    }

    mutating func park(_ id: UUID, _ continuation: CheckedContinuation<Bool, Never>) {
        waiters[id] = continuation
    }

    /// Ends one wait without an event (its deadline passed, or it was cancelled).
    mutating func end(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume(returning: false)
    }

    var waiting: Int { waiters.count }
}
