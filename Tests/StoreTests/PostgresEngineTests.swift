import Foundation
import Spec
import Testing
@testable import Store

/// What only the PostgreSQL engine does: wake-ups through LISTEN/NOTIFY, and URLs whose password stays out of messages.
@Suite struct PostgresEngineTests {
    @Test func theURLIsParsedAndShownWithoutItsPassword() throws {
        let url = try PostgresURL(parsing: "postgres://cse:s3cret-pw@db.example:6543/desired?schema=prod")
        #expect(url.user == "cse" && url.password == "s3cret-pw" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "desired" && url.schema == "prod")
        #expect(url.redacted == "postgres://cse@db.example:6543/desired?schema=prod")
        #expect(!"\(url)".contains("s3cret-pw"))
        #expect(try PostgresURL(parsing: "postgresql://u@h/d").port == 5432)
        #expect(throws: PostgresURLError.self) { try PostgresURL(parsing: "postgres://h:5432/d") }
        #expect(throws: PostgresURLError.self) { try PostgresURL(parsing: "postgres://u@h:5432/") }
        #expect(throws: PostgresURLError.self) { try PostgresURL(parsing: "mysql://u@h/d") }
        expectRefusal("an unknown parameter", says: ["sslcompression"]) {
            _ = try PostgresURL(parsing: "postgres://u:s3cret-pw@h/d?sslcompression=1")
        }
    }

    @Test func anUnreachableServerIsAnErrorThatNamesItWithoutThePassword() throws {
        // A port nothing listens on (a listener bound and closed at once) on loopback.
        let url = try PostgresURL(parsing: "postgres://cse:s3cret-pw@127.0.0.1:\(try closedPort())/cse")
        expectRefusal("a store on a closed port", says: ["postgres://cse@127.0.0.1:", "cannot connect"]) {
            _ = try DesiredStateStore(postgres: url, path: "/nonexistent/store.sqlite")
        }
    }

    @Test func everyWriterOfDesiredStateWakesTheOtherProcessesListeners() throws {
        guard TestEngine.postgresURL != nil else { return }
        let fixture = try StoreFixtures.store(.postgres)
        defer { fixture.remove() }
        let writer = try fixture.another()
        defer { writer.close() }
        let wakeUps = WakeUps()
        fixture.store.onDesiredStateChange { wakeUps.add() }
        // The listener says once that it listens (whatever changed before is covered by that wake-up).
        #expect(wakeUps.wait(atLeast: 1, seconds: 30), "the listener never connected")
        let before = wakeUps.count
        try writer.put(StoreFixtures.cluster("woken"), owner: .admin)
        #expect(wakeUps.wait(atLeast: before + 1, seconds: 30), "a create woke nobody")
        let afterCreate = wakeUps.count
        let uid = try #require(try writer.object(StoreFixtures.cluster("woken").key)).uid
        // Status writes are the reconciler's own: they do not wake it.
        try writer.setStatus(ObjectStatus(phase: .ready, observedGeneration: 1), of: uid)
        try writer.markDeleted(StoreFixtures.cluster("woken").key)
        try writer.put(StoreFixtures.cluster("woken-too"), owner: .admin)
        // Notifications arrive in commit order: two writes of desired state, two wake-ups, and no third one.
        #expect(wakeUps.wait(atLeast: afterCreate + 2, seconds: 30), "a deletion mark or a create woke nobody")
        #expect(!wakeUps.wait(atLeast: afterCreate + 3, seconds: 1), "the status write woke the listener: \(wakeUps.count - afterCreate) wake-ups")
    }

    @Test func connectionsTheServerClosedAreReplacedWithoutLosingAWrite() throws {
        guard TestEngine.postgresURL != nil else { return }
        let fixture = try StoreFixtures.store(.postgres)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster("before"), owner: .admin)
        // Another process (an operator, a server restart) ends every connection of this store's pool.
        let other = try fixture.another()
        defer { other.close() }
        let schema = try #require(fixture.postgres?.schema)
        try (other.engine as? PostgresEngine)?.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cse \(schema)' AND pid <> pg_backend_pid()")
        // The pooled connections are dead: the next read and write run on new ones, each once.
        #expect(try store.objects().map(\.key.name) == ["before"])
        try store.put(StoreFixtures.cluster("after"), owner: .admin)
        // Lost in the middle of a transaction: the server rolled it back, so it runs again whole, on a new connection.
        var runs = 0
        try store.transaction { tx in
            runs += 1
            let (object, _) = try tx.put(StoreFixtures.cluster("third"), owner: .tenant(org: "org1", user: "alice"), expectedGeneration: 0)
            if runs == 1 {
                try (other.engine as? PostgresEngine)?.execute(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = 'cse \(schema)' AND pid <> pg_backend_pid()")
            }
            let task = try tx.createTenantTask(objectUID: object.uid, operation: .create, targetGeneration: 1, org: "org1", user: "alice")
            try tx.logRequest("req-3", tenantTaskID: task.id)
        }
        #expect(try other.objects().map(\.key.name) == ["after", "before", "third"])
        let tasks = try other.tenantTasks().count
        #expect(runs == 2 && tasks == 1, "the interrupted run left nothing; the second stored once (runs: \(runs), tasks: \(tasks))")
    }

    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRNOTAVAIL) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Counts wake-ups from the listener's thread and lets a test wait for a number of them.
private final class WakeUps: @unchecked Sendable {
    private let condition = NSCondition()
    private var seen = 0

    func add() {
        condition.withLock {
            seen += 1
            condition.broadcast()
        }
    }

    var count: Int { condition.withLock { seen } }

    func wait(atLeast target: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        return condition.withLock {
            while seen < target {
                if !condition.wait(until: deadline) { return seen >= target }
            }
            return true
        }
    }
}
