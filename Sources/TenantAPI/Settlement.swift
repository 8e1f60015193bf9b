import Store
import Synchronization

/// A request's answer, and the writes that must commit before the request is acknowledged (not before it is
/// answered): the vCD task's href and the final answer in the request log. A crash between the answer and those
/// writes leaves the request unacknowledged; its redelivery finds the logged change and the task it made
/// (`TaskPublisher.existingTask`) and gives the same answer.
public struct HandledRequest: Sendable {
    public var reply: ExtensionReply
    let settlement: Settlement

    /// Commits the request's remaining writes (group-committed with other requests' writes) and ends its handling in
    /// this process. Call it exactly once, after the answer was sent (or failed to be); acknowledge the request only
    /// when it returned without throwing.
    public func settle() async throws {
        try await settlement.settle()
    }

    /// `settle()` for a caller that waits for nothing but the outcome: `completion` runs on the store's committer thread
    /// once the writes committed (on the caller's thread at once when there was nothing to write). It must be short.
    public func settle(then completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        settlement.settle(then: completion)
    }
}

/// Collects the writes a request leaves for after its answer, and commits them.
final class Settlement: Sendable {
    typealias Write = @Sendable (DesiredStateStore.Transaction) throws -> Void

    @TaskLocal static var current: Settlement?

    private let writes = Mutex<[Write]>([])
    private let commits: GroupCommit
    private let finished: @Sendable () -> Void

    init(commits: GroupCommit, finished: @escaping @Sendable () -> Void) {
        self.commits = commits
        self.finished = finished
    }

    func add(_ write: @escaping Write) {
        writes.withLock { $0.append(write) }
    }

    func settle() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            settle { continuation.resume(with: $0) }
        }
    }

    func settle(then completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        let pending = writes.withLock { writes in
            defer { writes = [] }
            return writes
        }
        let finished = self.finished
        guard !pending.isEmpty else {
            finished()
            completion(.success(()))
            return
        }
        commits.submit({ tx in
            for write in pending { try write(tx) }
        }, completion: { result in
            finished()
            completion(result)
        })
    }
}
