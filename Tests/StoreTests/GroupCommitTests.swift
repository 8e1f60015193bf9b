import Foundation
import Synchronization
import Testing
@testable import Spec
@testable import Store

@Suite struct GroupCommitTests {
    @Test func theWriterConnectionRunsWithSynchronousFull() throws {
        let fixture = try StoreFixtures.store(.sqlite)
        defer { fixture.remove() }
        let store = fixture.store
        let pool = try #require(store.engine as? SQLiteEngine).pool
        // Read back from the connection every write goes through (GRDB sets NORMAL when it switches the pool to WAL).
        let mode = try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "PRAGMA synchronous on the writer is \(String(describing: mode)), FULL is 2")
        let inTransaction = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(inTransaction == 2)
        #expect(try store.writerSynchronousMode() == .full)
        // Still so after a reopen of an existing file.
        #expect(try fixture.another().writerSynchronousMode() == .full)
    }

    @Test(arguments: TestEngine.available) func aBatchWhereOneRequestConflictsCommitsTheOthers(engine: TestEngine) async throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (existing, _) = try store.put(StoreFixtures.cluster("taken"), owner: .admin)
        let commits = GroupCommit(store: store)
        // A first piece holds the committer until the others are queued, so they go into one batch for sure.
        let gate = Gate()
        let holder = Task { try await commits.write { _ in gate.wait() } }
        try await eventually { commits.pendingCount == 0 && gate.isWaiting }
        let names = ["a", "b", "taken", "c", "d"]
        let writes = names.map { name in
            Task { () -> Result<Int, any Error> in
                do {
                    return .success(try await commits.write { tx in
                        // "taken" exists at generation 1: expecting 0 (a create) is a generation conflict.
                        let (stored, _) = try tx.put(StoreFixtures.cluster(name), owner: .tenant(org: "org1", user: "u"), expectedGeneration: 0)
                        try tx.logRequest("req-\(name)")
                        return stored.generation
                    })
                } catch {
                    return .failure(error)
                }
            }
        }
        try await eventually { commits.pendingCount == names.count }
        gate.open()
        try await holder.value
        var outcomes: [String: Result<Int, any Error>] = [:]
        for (name, write) in zip(names, writes) { outcomes[name] = await write.value }

        for name in ["a", "b", "c", "d"] {
            #expect((try? outcomes[name]?.get()) == 1, "\(name) should have committed")
            #expect(try store.object(ObjectKey(kind: .cluster, org: "org1", name: name)) != nil)
            #expect(try store.loggedRequest("req-\(name)") != nil)
        }
        guard case .failure(let error)? = outcomes["taken"], case StoreError.generationConflict = error else {
            Issue.record("the conflicting write should fail with a generation conflict, got \(String(describing: outcomes["taken"]))")
            return
        }
        // The conflicting piece was rolled back alone: its request is not logged, the existing object is untouched.
        #expect(try store.loggedRequest("req-taken") == nil)
        #expect(try store.object(existing.key)?.generation == existing.generation)
        #expect(try store.object(existing.key)?.owner == .admin)
        let statistics = commits.statistics
        #expect(statistics.commits == 2, "the holder's commit and one for the whole batch")
        #expect(statistics.pieces == names.count + 1 && statistics.largestBatch == names.count)
    }

    @Test(arguments: TestEngine.available) func aCallerResumesOnlyAfterItsBatchCommitted(engine: TestEngine) async throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let commits = GroupCommit(store: store)
        let other = try fixture.another()
        // What a caller sees as written is visible to another connection (committed), not only inside the transaction.
        let generations = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                group.addTask {
                    _ = try await commits.write { tx in try tx.put(StoreFixtures.cluster("c\(index)"), owner: .admin) }
                    return try other.object(ObjectKey(kind: .cluster, org: "org1", name: "c\(index)")) != nil
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(generations.count == 20 && generations.allSatisfy { $0 })
        #expect(commits.statistics.pieces == 20 && commits.statistics.commits <= 20)
    }

    /// `submit` tells each piece's outcome on the committer's thread once its batch committed: the value for a piece
    /// that succeeded (its write visible to another connection by then), the error for one that threw, rolled back alone.
    @Test(arguments: TestEngine.available) func submitTellsEachOutcomeOnceItsBatchCommitted(engine: TestEngine) async throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let commits = GroupCommit(store: fixture.store)
        let other = try fixture.another()
        try fixture.store.put(StoreFixtures.cluster("taken"), owner: .admin)
        let outcomes = Mutex<[String: Result<Bool, any Error>]>([:])
        let told = DispatchSemaphore(value: 0)
        for name in ["a", "b", "taken", "c"] {
            commits.submit({ tx -> String in
                // A create of "taken" conflicts: its generation is 1, not 0.
                _ = try tx.put(StoreFixtures.cluster(name), owner: .admin, expectedGeneration: 0)
                return name
            }, completion: { result in
                let seen = result.map { written in (try? other.object(ObjectKey(kind: .cluster, org: "org1", name: written))) != nil }
                outcomes.withLock { $0[name] = seen }
                told.signal()
            })
        }
        for _ in 0..<4 {
            #expect(await Task.detached { told.wait(timeout: .now() + 120) }.value == .success, "every outcome is told")
        }
        let results = outcomes.withLock { $0 }
        for name in ["a", "b", "c"] {
            guard case .success(let visible)? = results[name] else {
                Issue.record("\(name): \(String(describing: results[name]))")
                continue
            }
            #expect(visible, "\(name) committed before its outcome was told")
        }
        guard case .failure(let error)? = results["taken"], case StoreError.generationConflict = error else {
            Issue.record("the conflicting piece should fail alone, got \(String(describing: results["taken"]))")
            return
        }
        #expect(try other.object(ObjectKey(kind: .cluster, org: "org1", name: "taken"))?.generation == 1)
    }
}

/// A gate a group-committed piece waits at (on the committer's thread) until the test opens it; once open it stays
/// open. A PostgreSQL batch whose connection the server ended meanwhile (idle in transaction past 5 s, easily so under
/// CI load) runs again on a new connection, piece by piece: a gate that closed again after one pass held that second
/// run, and with it the whole test run, forever.
final class Gate: Sendable {
    private let opened = DispatchSemaphore(value: 0)
    private let state = Mutex((waiting: false, open: false))

    var isWaiting: Bool { state.withLock { $0.waiting } }

    /// Blocks until `open()`, at most two minutes (then the test fails instead of hanging).
    func wait() {
        let isOpen = state.withLock { state -> Bool in
            state.waiting = true
            return state.open
        }
        guard !isOpen else { return }
        if opened.wait(timeout: .now() + 120) == .timedOut {
            Issue.record("the gate was not opened within 120 s")
            return
        }
        opened.signal()  // passes the opening on to any later wait
    }

    func open() {
        state.withLock { $0.open = true }
        opened.signal()
    }
}

/// Waits (generously: CI shares two cores) until `condition` holds.
func eventually(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
