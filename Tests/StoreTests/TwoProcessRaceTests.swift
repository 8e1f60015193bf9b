import Dispatch
import Foundation
import Spec
import Testing
@testable import Store

/// Two store instances on one database (two connections, as two `cse` processes have) race for the same thing:
/// exactly one wins, the other gets the store's refusal, never a second object or a lost update.
@Suite struct TwoProcessRaceTests {
    /// Runs `body(0)` and `body(1)` on two threads released at the same instant; returns both results.
    private func race<T: Sendable>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let results = ResultBox<T>()
        for index in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                start.wait()
                results.set(index, body(index))
                done.leave()
            }
        }
        start.signal()
        start.signal()
        done.wait()
        return results.values
    }

    @Test(arguments: TestEngine.available) func createsOfTheSameNameHaveOneWinner(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let stores = [fixture.store, try fixture.another()]
        defer { stores[1].close() }
        for round in 0..<10 {
            // Names that differ only in case are one name: "RaceN" against "raceN".
            let names = ["Race\(round)", "race\(round)"]
            let outcomes = race { index -> String in
                do {
                    let (_, outcome) = try stores[index].put(StoreFixtures.cluster(names[index]), owner: .tenant(org: "org1", user: "u\(index)"),
                                                           expectedGeneration: 0)
                    return outcome.rawValue
                } catch let error as StoreError {
                    switch error {
                    case .generationConflict, .nameTaken: return "refused"
                    default: return "error: \(error)"
                    }
                } catch {
                    return "error: \(error)"
                }
            }
            #expect(outcomes.sorted() == ["created", "refused"], "round \(round): \(outcomes)")
            let stored = try stores[0].objects().filter { $0.key.name.lowercased() == "race\(round)" }
            #expect(stored.count == 1, "round \(round): \(stored.map(\.key.name))")
        }
    }

    @Test(arguments: TestEngine.available) func generationCheckedUpdatesHaveOneWinner(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let stores = [fixture.store, try fixture.another()]
        defer { stores[1].close() }
        let (created, _) = try stores[0].put(StoreFixtures.cluster(nodes: 1), owner: .admin)
        for round in 0..<10 {
            let generation = created.generation + round
            let outcomes = race { index -> String in
                do {
                    // Each writer read `generation` and writes its own node count.
                    try stores[index].put(StoreFixtures.cluster(nodes: 10 * (round + 1) + index), owner: .admin, expectedGeneration: generation)
                    return "won \(index)"
                } catch StoreError.generationConflict(_, let expected, let actual) where expected == generation && actual == generation + 1 {
                    return "refused"
                } catch {
                    return "error: \(error)"
                }
            }
            let winners = outcomes.filter { $0.hasPrefix("won") }
            #expect(winners.count == 1 && outcomes.contains("refused"), "round \(round): \(outcomes)")
            let stored = try #require(try stores[1].object(created.key))
            guard case .cluster(let spec) = stored.object, let winner = winners.first, let index = Int(winner.dropFirst(4)) else {
                Issue.record("round \(round): \(outcomes)")
                return
            }
            #expect(stored.generation == generation + 1 && spec.nodes.count == 10 * (round + 1) + index, "the winner's write is the one kept")
        }
    }

    @Test(arguments: TestEngine.available) func aLeaseHasOneHolderWhenTwoTakeItAtOnce(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let stores = [fixture.store, try fixture.another()]
        defer { stores[1].close() }
        for round in 0..<10 {
            let name = "race-\(round)"
            let results = race { index -> String in
                do {
                    return try stores[index].acquireLease(name, holder: "p\(index)", duration: 60).map { "waits for \($0.holder)" } ?? "holds"
                } catch {
                    return "error: \(error)"
                }
            }
            #expect(results.filter { $0 == "holds" }.count == 1 && results.contains { $0.hasPrefix("waits for p") }, "round \(round): \(results)")
            let holder = try #require(try stores[0].lease(name)).holder
            #expect(results[Int(holder.dropFirst())!] == "holds")
        }
    }

    @Test(arguments: TestEngine.available) func aRequestLoggedByOneProcessIsSeenByTheOther(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let stores = [fixture.store, try fixture.another()]
        defer { stores[1].close() }
        // Both receive the same request (a redelivery) at once: it is applied once, the other sees the log entry.
        let results = race { index -> String in
            do {
                return try stores[index].transaction { tx -> String in
                    if try tx.loggedRequest("req-1") != nil { return "already logged" }
                    let (object, _) = try tx.put(StoreFixtures.cluster("c-\(index)"), owner: .tenant(org: "org1", user: "alice"), expectedGeneration: 0)
                    let task = try tx.createTenantTask(objectUID: object.uid, operation: .create, targetGeneration: 1, org: "org1", user: "alice")
                    try tx.logRequest("req-1", tenantTaskID: task.id, status: 202, reply: "task \(task.id)")
                    return "applied"
                }
            } catch {
                return "error: \(error)"
            }
        }
        #expect(results.sorted() == ["already logged", "applied"], "\(results)")
        #expect(try stores[0].objects().count == 1 && stores[0].tenantTasks().count == 1)
    }
}

/// Results written by racing threads.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: T] = [:]

    func set(_ index: Int, _ value: T) {
        lock.withLock { results[index] = value }
    }

    var values: [T] {
        lock.withLock { results.sorted { $0.key < $1.key }.map(\.value) }
    }
}
