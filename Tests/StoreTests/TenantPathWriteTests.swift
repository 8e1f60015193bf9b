import Foundation
import GRDB
import Testing
@testable import Spec
@testable import Store

/// The tenant path's cached-statement writes store what the generic ones do, and read back equal.
@Suite struct TenantPathWriteTests {
    @Test(arguments: TestEngine.available) func insertedObjectTaskAndLogReadBackAsWritten(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let new = try NewObject(StoreFixtures.cluster("Demo"), owner: .tenant(org: "org1", user: "alice"))
        let (inserted, task) = try store.transaction { tx -> (StoredObject, TenantTask) in
            #expect(try tx.sameName(as: new.object.key) == nil)
            let object = try tx.insert(new)
            let task = try tx.insertTenantTask(objectUID: object.uid, operation: .create, targetGeneration: object.generation,
                                               org: "org1", user: "alice")
            try tx.recordRequest("r1", tenantTaskID: task.id)
            return (object, task)
        }
        let readBack = try store.object(new.object.key)
        #expect(readBack == inserted, "\(String(describing: readBack)) vs \(inserted)")
        #expect(inserted.generation == 1 && inserted.owner == .tenant(org: "org1", user: "alice") && inserted.specHash == new.object.specHash)
        #expect(try store.tenantTask(id: task.id) == task)
        #expect(try store.loggedRequest("r1") == LoggedRequest(requestID: "r1", tenantTaskID: task.id, status: nil, reply: nil))

        try store.transaction { tx in
            // Case does not tell names apart; another org's names are its own.
            #expect(try tx.sameName(as: ObjectKey(kind: .cluster, org: "org1", name: "demo")) == SameName(name: "Demo", isDeleting: false))
            #expect(try tx.sameName(as: ObjectKey(kind: .cluster, org: "org2", name: "demo")) == nil)
            #expect(try tx.sameName(as: ObjectKey(kind: .template, org: "org1", name: "Demo")) == nil)
            try tx.recordTaskHref("https://vcd.example/api/task/1", ofTenantTask: task.id)
            try tx.recordRequest("r1", tenantTaskID: task.id, status: 202, reply: "{}")
            #expect(try tx.loggedRequestCached("r1") == tx.loggedRequest("r1"))
        }
        let recorded = try #require(try store.tenantTask(id: task.id))
        #expect(recorded.taskHref == "https://vcd.example/api/task/1" && recorded.state == .running)
        #expect(try store.loggedRequest("r1") == LoggedRequest(requestID: "r1", tenantTaskID: task.id, status: 202, reply: "{}"))
        // The generic write sees the inserted object as any other: a case variant is refused.
        #expect(throws: StoreError.self) { try store.put(StoreFixtures.cluster("demo"), owner: .admin, expectedGeneration: 0) }
        try store.markDeleted(new.object.key)
        let afterDelete = try store.transaction { tx in try tx.sameName(as: new.object.key) }
        #expect(afterDelete == SameName(name: "Demo", isDeleting: true))
    }

    @Test func aNameIsComparedWithoutCaseByIndexNotByReadingTheOrg() throws {
        let fixture = try StoreFixtures.store(.sqlite)
        defer { fixture.remove() }
        let pool = try #require(fixture.store.engine as? SQLiteEngine).pool
        let plan = try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + DesiredStateStore.Transaction.sameNameSQL, arguments: ["cluster", "org1", "demo", "demo"])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("USING INDEX objectFoldedName") }, "\(plan)")
        // The generic write's check (put) is served by it too.
        let putPlan = try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM object WHERE kind = ? AND org = ? AND LOWER(name) = ?",
                             arguments: ["cluster", "org1", "demo"]).map { $0["detail"] as String? ?? "" }
        }
        #expect(putPlan.contains { $0.contains("USING INDEX objectFoldedName") }, "\(putPlan)")
    }

    /// A cluster's NewObject keeps the spec it was given rather than parsing its canonical form again; that is right only
    /// while the spec reads back from that form unchanged, with every optional set and with none.
    @Test func clusterSpecsReadBackFromTheirCanonicalFormUnchanged() throws {
        let bare = ClusterSpec(name: "bare", org: "org1", vdc: "vdc", template: "t", nodes: NodePool(count: 0))
        let full = ClusterSpec(name: "Full-\u{e9} \"quoted\"", org: "org 2", vdc: "vdc/1", template: "t", network: "net",
                               master: SizeOverride(cpu: 8, memoryMB: 8192), nodes: NodePool(count: 3, cpu: 4, memoryMB: 2048),
                               storageProfile: "gold", sshKey: "ssh-ed25519 AAAA user@host")
        for spec in [bare, full] {
            let new = try NewObject(.cluster(spec), owner: .admin)
            #expect(new.object == .cluster(spec))
            #expect(try DesiredObject.decode(kind: .cluster, canonicalJSON: new.canonicalJSON) == new.object)
        }
    }

    /// New objects' uids are random version-4 UUIDs (RFC 9562: version nibble 4, variant bits 10), lowercase, unrepeated.
    @Test func newObjectsGetRandomVersion4UUIDs() throws {
        let uids = try (0..<500).map { _ in try NewObject(StoreFixtures.cluster(), owner: .admin).uid }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            let parsed = try #require(UUID(uuidString: uid), "\(uid) is not a UUID")
            #expect(uid == uid.lowercased())
            #expect(parsed.uuid.6 >> 4 == 4, "version of \(uid)")
            #expect(parsed.uuid.8 >> 6 == 0b10, "variant of \(uid)")
        }
    }
}
