import Foundation
import Spec
import Store

/// The single-writer lease of a store: one process reconciles a store at a time (`cse run`, or `cse apply` when no
/// service runs). Held for `duration` and renewed every third of it; a holder that dies stops renewing, and its lease
/// can be taken once expired. Taking it yields a `LeaseFence` (the lease's fencing token) that every write the holder
/// makes carries: once another process took the lease, or it expired, the store refuses them.
public struct LeaseKeeper: Sendable {
    public let store: DesiredStateStore
    public let holder: String
    public let duration: TimeInterval

    public enum Attempt: Sendable {
        case taken(LeaseFence)
        case heldBy(Lease)
    }

    public init(store: DesiredStateStore, role: String, duration: TimeInterval = 15) {
        self.store = store
        self.holder = "\(role) (pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName))"
        self.duration = duration
    }

    /// Takes the lease when free (its fence); otherwise says who holds it.
    public func tryAcquire() throws -> Attempt {
        let start = ContinuousClock.now
        switch try store.takeLease(holder: holder, duration: duration) {
        case .acquired(let lease): return .taken(LeaseFence(lease: lease, validUntil: start + .milliseconds(Int(duration * 1000))))
        case .heldBy(let other): return .heldBy(other)
        }
    }

    /// Takes the lease, waiting while another process holds it; `waiting` hears of each new holder once.
    /// Returns nil when `giveUpWhen` became true first (the lease is then not held).
    public func acquire(waiting: (Lease) -> Void, giveUpWhen: () -> Bool = { false }) async throws -> LeaseFence? {
        var told: String?
        ReconcileMetrics.lease(held: false)
        while true {
            // A standby reads the lease (no lock, no write) and tries to take it only once it is free: a replica frozen
            // in the middle of a try must not hold the lease's row (or SQLite's write lock) while the holder renews.
            let attempt: Attempt
            if let current = try store.lease(), current.holder != holder {
                attempt = .heldBy(current)
            } else {
                attempt = try tryAcquire()
            }
            switch attempt {
            case .taken(let fence):
                if giveUpWhen() {
                    release()
                    return nil
                }
                ReconcileMetrics.lease(held: true)
                return fence
            case .heldBy(let other):
                if told != other.holder {
                    waiting(other)
                    told = other.holder
                }
            }
            // Tried again every tenth of the lease's duration (at most every second): a standby takes over soon after expiry.
            for _ in 0..<10 {
                if giveUpWhen() { return nil }
                try await Task.sleep(for: .seconds(max(0.01, min(duration / 10, 1) / 10)))
            }
        }
    }

    /// Renews the fence's lease every third of its duration until cancelled or refused (the fence is then lost:
    /// another process took the lease after this one stalled past its expiry; `LeaseFence.onLost` hears of it).
    public func keepRenewing(_ fence: LeaseFence) -> Task<Void, Never> {
        let store = store, duration = duration
        return Task {
            while !Task.isCancelled && fence.lostBecause == nil {
                try? await Task.sleep(for: .milliseconds(Int(duration * 1000 / 3)))
                guard !Task.isCancelled else { return }
                let start = ContinuousClock.now
                do {
                    try store.renewLease(fence, duration: duration)
                    fence.renewed(startedAt: start, duration: duration)
                } catch is FencedWriteRefused {
                    // Refused: the fence is lost (the loop ends).
                    ReconcileMetrics.lease(held: false)
                } catch {
                    // A busy or unreachable store is tried again; the fence runs out by this process's clock meanwhile
                    // if it lasts.
                }
            }
        }
    }

    public func release() {
        ReconcileMetrics.lease(held: false)
        try? store.releaseLease(holder: holder)
    }

    /// Gives up the fence's lease, through the store's fence check: a lease lost by this process's clock only is
    /// released (a standby need not wait for it to expire); a stale one is refused and recorded.
    public func release(_ fence: LeaseFence) {
        ReconcileMetrics.lease(held: false)
        try? store.releaseLease(fence)
    }
}

/// Follows the progress of the process that holds a store's lease (what `cse apply` does while `cse run` reconciles):
/// reads statuses until every object is ready at its generation, deletions are done, an object keeps failing, the
/// lease is free (the holder stopped: the caller takes over) or `timeout` passes.
public enum ProgressFollower {
    public enum Outcome: Sendable, Equatable {
        case converged
        case failed([String])
        case timedOut
        /// Nobody holds the lease any more.
        case leaseFree
    }

    public static func follow(store: DesiredStateStore, timeout: Duration, poll: Duration = .milliseconds(500),
                              failedPollsBeforeFailing: Int = 6, progress: @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let deadline = ContinuousClock.now + timeout
        var failedPolls = 0
        while ContinuousClock.now < deadline {
            guard try store.lease() != nil else { return .leaseFree }
            let objects = try store.objects()
            let statuses = try store.statuses()
            var waiting: [String] = []
            var failures: [String] = []
            for object in objects {
                let status = statuses[object.uid] ?? ObjectStatus()
                if object.isDeleting {
                    waiting.append("\(object.key): deleting")
                } else if status.observedGeneration < object.generation {
                    waiting.append("\(object.key): generation \(object.generation) not yet judged")
                } else if status.phase == .failed {
                    failures.append("\(object.key): \(status.lastError ?? status.condition("Ready")?.message ?? "failed")")
                } else if status.phase != .ready {
                    waiting.append("\(object.key): \(status.condition("Ready")?.message ?? status.phase.rawValue)")
                }
            }
            if waiting.isEmpty && failures.isEmpty { return .converged }
            failedPolls = waiting.isEmpty && !failures.isEmpty ? failedPolls + 1 : 0
            if failedPolls >= failedPollsBeforeFailing { return .failed(failures.sorted()) }
            progress(waiting.sorted().first ?? failures.sorted().first ?? "")
            try await Task.sleep(for: poll)
        }
        return .timedOut
    }
}
