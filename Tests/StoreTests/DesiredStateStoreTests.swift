import Foundation
import GRDB
import Testing
@testable import Spec
@testable import Store

@Suite struct DesiredStateStoreTests {
    @Test(arguments: TestEngine.available) func migrationsRunOnceAndAreRecorded(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        #expect(try store.appliedMigrations() == DesiredStateStore.knownMigrations)
        try store.put(StoreFixtures.cluster(), owner: .admin)
        // Reopening an up-to-date file migrates nothing and keeps the data.
        let reopened = try fixture.another()
        #expect(try reopened.appliedMigrations() == DesiredStateStore.knownMigrations)
        #expect(try reopened.objects().count == 1)
    }

    @Test func databaseInWALModeWithFullSync() throws {
        let fixture = try StoreFixtures.store(.sqlite)
        defer { fixture.remove() }
        let store = fixture.store
        let queue = try DatabaseQueue(path: store.path)
        let mode = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test(arguments: TestEngine.available) func fileFromANewerCseIsRefused(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let table = engine == .sqlite ? "grdb_migrations" : "cse_migrations"
        try fixture.execute("INSERT INTO \(table) (identifier\(engine == .sqlite ? "" : ", \"appliedAt\"")) VALUES ('v99 from the future'\(engine == .sqlite ? "" : ", now()"))")
        #expect(throws: StoreError.schemaTooNew(path: store.location, unknownMigrations: ["v99 from the future"])) {
            _ = try fixture.another()
        }
    }

    @Test(arguments: TestEngine.available) func generationMovesOnlyOnRealChange(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (created, first) = try store.put(StoreFixtures.cluster(nodes: 2), owner: .admin)
        #expect(first == .created && created.generation == 1)
        let (same, second) = try store.put(StoreFixtures.cluster(nodes: 2), owner: .admin)
        #expect(second == .unchanged && same.generation == 1 && same.updatedAt == created.updatedAt)
        let (changed, third) = try store.put(StoreFixtures.cluster(nodes: 3), owner: .admin)
        #expect(third == .updated && changed.generation == 2 && changed.uid == created.uid)
        let (deleted, fourth) = try store.markDeleted(changed.key)
        #expect(fourth == .deleted && deleted.generation == 3 && deleted.isDeleting)
        let (again, fifth) = try store.markDeleted(changed.key)
        #expect(fifth == .unchanged && again.generation == 3)
        let (restored, sixth) = try store.put(StoreFixtures.cluster(nodes: 3), owner: .admin)
        #expect(sixth == .restored && restored.generation == 4 && !restored.isDeleting)
    }

    @Test(arguments: TestEngine.available) func optimisticWritesFailWhenTheGenerationMoved(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let key = StoreFixtures.cluster().key
        try store.put(StoreFixtures.cluster(), owner: .admin, expectedGeneration: 0)
        // "Create" when it exists: the tenant's name is taken.
        #expect(throws: StoreError.generationConflict(key, expected: 0, actual: 1)) {
            try store.put(StoreFixtures.cluster(nodes: 5), owner: .admin, expectedGeneration: 0)
        }
        try store.put(StoreFixtures.cluster(nodes: 4), owner: .admin, expectedGeneration: 1)
        // A writer that read generation 1 loses against the one that moved it to 2.
        #expect(throws: StoreError.generationConflict(key, expected: 1, actual: 2)) {
            try store.put(StoreFixtures.cluster(nodes: 9), owner: .admin, expectedGeneration: 1)
        }
        #expect(throws: StoreError.generationConflict(key, expected: 1, actual: 2)) {
            try store.markDeleted(key, expectedGeneration: 1)
        }
        #expect(throws: StoreError.generationConflict(StoreFixtures.cluster("new").key, expected: 3, actual: 0)) {
            try store.put(StoreFixtures.cluster("new"), owner: .admin, expectedGeneration: 3)
        }
        let stored = try #require(try store.object(key))
        guard case .cluster(let spec) = stored.object else { Issue.record("not a cluster"); return }
        #expect(spec.nodes.count == 4 && stored.generation == 2, "failed writes changed nothing")
        #expect(StoreError.generationConflict(key, expected: 1, actual: 2).description == "cluster/org1/c1 changed concurrently: expected generation 1, but it is at generation 2")
    }

    @Test(arguments: TestEngine.available) func tombstoneStaysUntilTheReconcilerConfirms(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (created, _) = try store.put(StoreFixtures.cluster(), owner: .tenant(org: "org1", user: "alice"))
        #expect(try store.confirmDeleted(created.key, uid: created.uid) == false, "not marked: nothing to confirm")
        try store.markDeleted(created.key)
        #expect(try store.objects(includeDeleting: false).isEmpty)
        #expect(try store.objects().count == 1)
        try store.recordEvent(for: created, reason: "Deleting", message: "vApp delete started")
        #expect(try store.confirmDeleted(created.key, uid: "other-uid") == false)
        #expect(try store.confirmDeleted(created.key, uid: created.uid))
        #expect(try store.object(created.key) == nil)
        #expect(try store.events(of: created.uid).map(\.reason) == ["Deleting"], "history outlives the object")
        #expect(throws: StoreError.notFound(created.key)) { try store.markDeleted(created.key) }
    }

    @Test(arguments: TestEngine.available) func ownersAreKept(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster("t1"), owner: .tenant(org: "org1", user: "alice"))
        try store.put(StoreFixtures.cluster("a1"), owner: .admin)
        let owners = Dictionary(uniqueKeysWithValues: try store.objects().map { ($0.key.name, $0.owner) })
        #expect(owners == ["t1": .tenant(org: "org1", user: "alice"), "a1": .admin])
    }

    @Test(arguments: TestEngine.available) func applyReportsAndPrunesOnlyAdminObjects(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster("tenant-made"), owner: .tenant(org: "org1", user: "bob"))
        let first = try store.apply(StoreFixtures.specSet([StoreFixtures.template(), StoreFixtures.cluster("c1"), StoreFixtures.cluster("c2")]), prune: false)
        #expect(first.count(.created) == 3 && first.changed)
        let second = try store.apply(StoreFixtures.specSet([StoreFixtures.template(), StoreFixtures.cluster("c1", nodes: 5)]), prune: false)
        #expect(second.count(.unchanged) == 1 && second.count(.updated) == 1)
        #expect(second.notInSpecs.map(\.name) == ["c2"], "tenant clusters are not the admin's to prune")
        let third = try store.apply(StoreFixtures.specSet([StoreFixtures.template(), StoreFixtures.cluster("c1", nodes: 5)]), prune: true)
        #expect(third.entries.filter { $0.outcome == .deleted }.map(\.key.name) == ["c2"])
        #expect(try store.object(StoreFixtures.cluster("tenant-made").key)?.isDeleting == false)
        let fourth = try store.apply(StoreFixtures.specSet([StoreFixtures.template(), StoreFixtures.cluster("c1", nodes: 5)]), prune: true)
        #expect(!fourth.changed)
    }

    @Test(arguments: TestEngine.available) func applyIsOneTransaction(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster("c1"), owner: .admin)
        // A write that fails half-way (here: a conflict raised inside the transaction) leaves nothing behind.
        #expect(throws: StoreError.self) {
            try store.transaction { tx in
                try tx.put(StoreFixtures.cluster("c2"), owner: .admin)
                try tx.put(StoreFixtures.cluster("c1", nodes: 7), owner: .admin, expectedGeneration: 5)
            }
        }
        #expect(try store.objects().map(\.key.name) == ["c1"])
    }

    @Test(arguments: TestEngine.available) func statusAndConditionsRoundTrip(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (object, _) = try store.put(StoreFixtures.cluster(), owner: .admin)
        #expect(try store.status(of: object.uid) == ObjectStatus())
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var status = ObjectStatus(phase: .provisioning, observedGeneration: 1, lastReconcileAt: t0)
        status.setCondition("MasterReady", status: .false, reason: "Booting", message: "waiting for guest", at: t0)
        try store.setStatus(status, of: object.uid)
        let updated = try store.updateStatus(of: object.uid) {
            $0.setCondition("MasterReady", status: .false, reason: "Booting", message: "still waiting", at: t0.addingTimeInterval(10))
            $0.setCondition("NodesJoined", status: .true, reason: "Joined", message: "2/2", at: t0.addingTimeInterval(20))
            $0.lastError = "BUSY_ENTITY"
        }
        let read = try store.status(of: object.uid)
        #expect(read == updated)
        #expect(read.condition("MasterReady")?.lastTransitionTime == t0, "same status keeps its transition time")
        #expect(read.condition("MasterReady")?.message == "still waiting")
        #expect(read.conditions.count == 2 && read.lastError == "BUSY_ENTITY" && read.phase == .provisioning)
        #expect(try store.setStatus(status, of: "no-such-uid") == false)
    }

    @Test(arguments: TestEngine.available) func eventsAppendInOrderAndLimitKeepsNewest(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (object, _) = try store.put(StoreFixtures.cluster(), owner: .admin)
        for index in 1...5 {
            try store.recordEvent(for: object, type: index == 5 ? .warning : .normal, reason: "Step\(index)", message: "m\(index)")
        }
        #expect(try store.events(of: object.uid).map(\.reason) == ["Step1", "Step2", "Step3", "Step4", "Step5"])
        let newest = try store.events(of: object.uid, limit: 2)
        #expect(newest.map(\.reason) == ["Step4", "Step5"])
        #expect(newest.last?.type == .warning && newest.last?.key == object.key)
    }

    @Test(arguments: TestEngine.available) func concurrentWritersNeverLoseAnUpdate(engine: TestEngine) async throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster(nodes: 0), owner: .admin)
        let key = StoreFixtures.cluster().key
        // Each writer reads, then writes count+1 expecting the generation it read; conflicts retry.
        // With no lost update the final count equals the number of successful increments.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var done = 0
                    while done < 10 {
                        guard let current = try? store.object(key), case .cluster(var spec) = current.object else { continue }
                        spec.nodes.count += 1
                        if (try? store.put(.cluster(spec), owner: .admin, expectedGeneration: current.generation)) != nil { done += 1 }
                    }
                }
            }
        }
        let final = try #require(try store.object(key))
        guard case .cluster(let spec) = final.object else { Issue.record("not a cluster"); return }
        #expect(spec.nodes.count == 40 && final.generation == 41)
    }
}
