import Dispatch
import Foundation
import Synchronization

/// Group commit for concurrent writers (tenant requests). Each caller hands over one piece of work; the pieces that
/// arrive while a commit is under way wait and then go together into the next transaction, each inside its own
/// savepoint, so one piece that throws (a generation conflict, a name taken) is rolled back alone and its caller gets
/// its error while the others commit. Every caller resumes only after the transaction holding its piece committed
/// (durable: the store's writer runs with `synchronous = FULL`), so one fsync serves a whole batch.
public final class GroupCommit: Sendable {
    /// How many commits and pieces went through, to tell how well batching works.
    public struct Statistics: Sendable, Equatable {
        public var commits = 0
        public var pieces = 0
        public var largestBatch = 0
        /// Wall time spent running pieces, and committing (the fsync), in seconds.
        public var workSeconds = 0.0
        public var commitSeconds = 0.0

        public init(commits: Int = 0, pieces: Int = 0, largestBatch: Int = 0, workSeconds: Double = 0, commitSeconds: Double = 0) {
            self.commits = commits
            self.pieces = pieces
            self.largestBatch = largestBatch
            self.workSeconds = workSeconds
            self.commitSeconds = commitSeconds
        }

        /// What happened between `earlier` and this (the largest batch is this one's).
        public func since(_ earlier: Statistics) -> Statistics {
            Statistics(commits: commits - earlier.commits, pieces: pieces - earlier.pieces, largestBatch: largestBatch,
                       workSeconds: workSeconds - earlier.workSeconds, commitSeconds: commitSeconds - earlier.commitSeconds)
        }
    }

    private struct Piece: Sendable {
        /// Runs in the batch's transaction; returns what to tell its caller once the transaction committed. Throws only
        /// an error that ends the whole transaction (the engine retries the batch or fails it as a whole).
        let run: @Sendable (DesiredStateStore.Transaction) throws -> @Sendable () -> Void
        /// Tells the caller the batch failed as a whole (its commit did not happen).
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var pending: [Piece] = []
        var committing = false
        /// Pieces in the last batch committed: more than one means writers are arriving together.
        var lastBatch = 0
    }

    private let store: DesiredStateStore
    private let maximumBatch: Int
    /// While writers arrive together (the last batch held several pieces), a batch smaller than that waits this long
    /// for more before it commits (as PostgreSQL's `commit_delay` or MySQL's `binlog_group_commit_sync_delay`): one
    /// fsync and one transaction then serve more pieces. A writer alone never waits. None by default: measured with
    /// `cse bench amqp`, 200 µs put that wait on every request's path without making batches larger (the requests
    /// queue for the processor, not for the committer).
    private let gatherDelay: Duration
    private let queue = Mutex(Queue())
    private let counters = Mutex(Statistics())
    private let committer = DispatchQueue(label: "cse.store.group-commit")

    public init(store: DesiredStateStore, maximumBatch: Int = 256, gatherDelay: Duration = .zero) {
        precondition(maximumBatch > 0, "a batch holds at least one piece")
        self.store = store
        self.maximumBatch = maximumBatch
        self.gatherDelay = gatherDelay
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Pieces waiting for the next commit (tests use it to know a batch is complete).
    var pendingCount: Int { queue.withLock { $0.pending.count } }

    /// Runs `work` in the next batch's transaction, inside a savepoint of its own, and returns its result once that
    /// transaction committed. A throw rolls back only this piece; a failed commit fails every piece of its batch.
    public func write<T: Sendable>(_ work: @escaping @Sendable (DesiredStateStore.Transaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit(work) { continuation.resume(with: $0) }
        }
    }

    /// `write(_:)` for a caller that waits for nothing but the outcome: `completion` runs on the committer's thread once
    /// the batch holding `work` committed (or failed), so that what follows a commit (acknowledging a request) needs no
    /// switch back to a task. It must be short and must not wait for the store.
    public func submit<T: Sendable>(_ work: @escaping @Sendable (DesiredStateStore.Transaction) throws -> T,
                                    completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let piece = Piece(
            run: { tx in
                var value: T?
                do {
                    try tx.session.savepoint { value = try work(tx) }
                } catch let error where tx.session.endsTransaction(error) {
                    throw error
                } catch {
                    return { completion(.failure(error)) }
                }
                guard let value else { return { completion(.failure(GroupCommitError.noResult)) } }
                return { completion(.success(value)) }
            },
            fail: { completion(.failure($0)) })
        let leads = queue.withLock { queue -> Bool in
            queue.pending.append(piece)
            guard !queue.committing else { return false }
            queue.committing = true
            return true
        }
        // The first writer to find no commit under way starts the committer; the others only queue their piece.
        if leads { committer.async { self.drain() } }
    }

    /// Commits batches until nothing is pending.
    private func drain() {
        while true {
            let gather = queue.withLock { queue in queue.lastBatch > 1 && queue.pending.count < queue.lastBatch }
            if gather, gatherDelay > .zero {
                let parts = gatherDelay.components
                usleep(useconds_t(parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000))
            }
            let batch = queue.withLock { queue -> [Piece] in
                guard !queue.pending.isEmpty else {
                    queue.committing = false
                    return []
                }
                let batch = Array(queue.pending.prefix(maximumBatch))
                queue.pending.removeFirst(batch.count)
                queue.lastBatch = batch.count
                return batch
            }
            guard !batch.isEmpty else { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [Piece]) {
        let outcomes: [@Sendable () -> Void]
        let clock = ContinuousClock()
        let start = clock.now
        var worked = start
        do {
            outcomes = try store.write(changesDesiredState: true) { session in
                let tx = DesiredStateStore.Transaction(session: session, now: store.now)
                let outcomes = try batch.map { try $0.run(tx) }
                worked = clock.now
                return outcomes
            }
        } catch {
            for piece in batch { piece.fail(error) }
            return
        }
        counters.withLock {
            $0.commits += 1
            $0.pieces += batch.count
            $0.largestBatch = max($0.largestBatch, batch.count)
            $0.workSeconds += (worked - start).seconds
            $0.commitSeconds += (clock.now - worked).seconds
        }
        for outcome in outcomes { outcome() }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

enum GroupCommitError: Error, CustomStringConvertible {
    case noResult

    var description: String { "a group-committed write returned nothing" }
}
