import Foundation
import GRDB
import Testing
@testable import Spec
@testable import Store

@Suite struct MigrationAndTenantTaskTests {
    @Test func aVersion1FileUpgradesKeepingItsData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("store.sqlite").path
        // A file as the first release left it: only migration v1, one object with a status.
        let old = try DatabasePool(path: path)
        try Schema.migrator.migrate(old, upTo: "v1 desired objects, status, events")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO object (uid, kind, org, name, spec, specHash, generation, owner, createdAt, updatedAt)
                VALUES ('u1', 'Cluster', 'org1', 'c1', ?, 'h', 3, '"admin"', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                """, arguments: [DesiredObject.cluster(ClusterSpec(name: "c1", org: "org1", vdc: "v", template: "t", nodes: NodePool(count: 1))).canonicalJSON])
            try db.execute(sql: "INSERT INTO status (objectUID, phase, conditions, observedGeneration) VALUES ('u1', 'Ready', '[]', 3)")
        }
        try old.close()

        let store = try DesiredStateStore(path: path)
        #expect(try store.appliedMigrations() == DesiredStateStore.knownMigrations)
        let object = try #require(try store.objects().first)
        #expect(object.generation == 3 && object.key.name == "c1")
        let status = try store.status(of: "u1")
        #expect(status.phase == .ready && status.observedGeneration == 3 && status.observed == nil)
        try store.updateStatus(of: "u1") { $0.observed = ObservedFacts(masterIP: "10.0.0.5", masterName: "c1-m1", nodeNames: ["c1-n1"]) }
        #expect(try store.status(of: "u1").observed?.masterIP == "10.0.0.5")
    }

    @Test(arguments: TestEngine.available) func requestLogAndTenantTaskCommitWithTheChange(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let task = try store.transaction { tx -> TenantTask in
            let (object, _) = try tx.put(StoreFixtures.cluster(), owner: .tenant(org: "org1", user: "alice"), expectedGeneration: 0)
            let task = try tx.createTenantTask(objectUID: object.uid, operation: .create, targetGeneration: object.generation, org: "org1", user: "alice")
            try tx.logRequest("req-1", tenantTaskID: task.id)
            return task
        }
        #expect(task.state == .pending && task.taskHref == nil)
        #expect(try store.loggedRequest("req-1")?.reply == nil, "reply not final until the vCD task exists")
        try store.updateTenantTask(id: task.id, taskHref: "https://vcd/api/task/1", state: .running)
        try store.transaction { tx in try tx.logRequest("req-1", tenantTaskID: task.id, status: 202, reply: #"{"task_href":"https://vcd/api/task/1"}"#) }
        #expect(try store.loggedRequest("req-1")?.status == 202)
        #expect(try store.tenantTasks().map(\.taskHref) == ["https://vcd/api/task/1"])
        try store.updateTenantTask(id: task.id, state: .success, message: "cluster ready")
        #expect(try store.tenantTasks().isEmpty)
        #expect(try store.tenantTask(id: task.id)?.message == "cluster ready")

        // A failing transaction leaves neither the change nor its log entry.
        #expect(throws: StoreError.self) {
            try store.transaction { tx in
                try tx.logRequest("req-2")
                try tx.put(StoreFixtures.cluster(), owner: .admin, expectedGeneration: 0)
            }
        }
        #expect(try store.loggedRequest("req-2") == nil)
    }
}
