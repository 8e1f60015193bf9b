import Synchronization

/// Request ids being handled in this process. A redelivery can arrive while its original is still in flight (the
/// connection that delivered the original dropped; the broker hands it to another consumer or connection): it waits
/// for the original to finish, then is answered from the request log, so the two never both make a vCD task.
final class RequestsInFlight: Sendable {
    /// Ids under way, each with the handlings of the same id waiting for it.
    private let underWay = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    /// Returns once no other handling of `id` is under way in this process; `release(id)` ends this one.
    func claim(_ id: String) async {
        while true {
            let claimed = underWay.withLock { underWay -> Bool in
                guard underWay[id] == nil else { return false }
                underWay[id] = []
                return true
            }
            if claimed { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let queued = underWay.withLock { underWay -> Bool in
                    guard underWay[id] != nil else { return false }
                    underWay[id]?.append(continuation)
                    return true
                }
                if !queued { continuation.resume() }  // released meanwhile: try again at once
            }
        }
    }

    func release(_ id: String) {
        let waiters = underWay.withLock { $0.removeValue(forKey: id) } ?? []
        for waiter in waiters { waiter.resume() }
    }
}
