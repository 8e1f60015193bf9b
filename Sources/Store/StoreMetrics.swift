import Foundation
import GRDB
import Metrics

/// What the store reports through swift-metrics: how long each write transaction's commit takes (SQLite's commit
/// hook to the end of COMMIT: the WAL append and, with `synchronous=FULL`, its fsync).
enum StoreMetrics {
    static let commitDuration = "cse_store_commit_duration_seconds"
}

/// Times commits on one connection (GRDB calls it on that connection's queue, one transaction at a time).
final class CommitTimer: TransactionObserver {
    private var willCommitAt: ContinuousClock.Instant?

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        willCommitAt = .now
    }

    func databaseDidCommit(_ db: Database) {
        if let started = willCommitAt { Timer(label: StoreMetrics.commitDuration).record(duration: ContinuousClock.now - started) }
        willCommitAt = nil
    }

    func databaseDidRollback(_ db: Database) {
        willCommitAt = nil
    }
}
