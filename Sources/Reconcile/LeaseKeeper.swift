import Foundation
import Spec
import Store

/// The single-writer lease of a store: one process reconciles a store at a time (`cse run`, or `cse apply` when no
/// service runs). Held for `duration` and renewed every third of it; a holder that dies stops renewing, and its lease
/// can be taken once expired.
public struct LeaseKeeper: Sendable {
    public let store: DesiredStateStore
    public let holder: String
    public let duration: TimeInterval

    public init(store: DesiredStateStore, role: String, duration: TimeInterval = 15) {
        self.store = store
        self.holder = "\(role) (pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName))"
        self.duration = duration
    }

    /// Takes the lease when free; otherwise returns who holds it.
    public func tryAcquire() throws -> Lease? {
        try store.acquireLease(holder: holder, duration: duration)
    }

    /// Takes the lease, waiting while another process holds it; `waiting` hears of each new holder once.
    /// Returns false when `giveUpWhen` became true first (the lease is then not held).
    @discardableResult
    public func acquire(waiting: (Lease) -> Void, giveUpWhen: () -> Bool = { false }) async throws -> Bool {
        var told: String?
        ReconcileMetrics.lease(held: false)
        while let other = try tryAcquire() {
            if told != other.holder {
                waiting(other)
                told = other.holder
            }
            for _ in 0..<10 {
                if giveUpWhen() { return false }
                try await Task.sleep(for: .seconds(max(0.02, min(duration / 3, 2) / 10)))
            }
        }
        if giveUpWhen() {
            release()
            return false
        }
        ReconcileMetrics.lease(held: true)
        return true
    }

    /// Renews the lease until cancelled; `lost` runs once if another process took it (this one stalled past expiry).
    public func keepRenewing(lost: @escaping @Sendable (Lease) -> Void) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(duration / 3))
                guard !Task.isCancelled else { return }
                if let other = try? tryAcquire() {
                    ReconcileMetrics.lease(held: false)
                    lost(other)
                    return
                }
            }
        }
    }

    public func release() {
        ReconcileMetrics.lease(held: false)
        try? store.releaseLease(holder: holder)
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
