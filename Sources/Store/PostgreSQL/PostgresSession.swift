import Foundation
import Logging
import PostgresNIO
import Spec

/// Row operations in one transaction on a PostgreSQL connection (see `PostgresConnectionPool` for the bridging).
struct PostgresSession: StoreSession {
    let connection: PostgresConnection
    let logger: Logger
    /// A write transaction (reads of the lease row lock it).
    let writing: Bool

    private func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try connection.run(query, logger: logger).rows
    }

    private func run(_ query: PostgresQuery) throws {
        _ = try connection.run(query, logger: logger)
    }

    // MARK: objects

    private static let objectColumns = #"id, uid, kind, org, name, spec, "specHash", generation, owner, "createdAt", "updatedAt", "deletionRequestedAt""#

    private func objectRows(where condition: PostgresQuery) throws -> [ObjectRecord] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.objectColumns) FROM object WHERE ", binds: condition.binds)
        query.sql += condition.sql
        // Byte order, as SQLite sorts, whatever the database's locale.
        query.sql += #" ORDER BY kind COLLATE "C", org COLLATE "C", name COLLATE "C""#
        return try rows(query).map(Self.object)
    }

    private static func object(_ row: PostgresRow) throws -> ObjectRecord {
        let (id, uid, kind, org, name, spec, specHash, generation, owner, createdAt, updatedAt, deletionRequestedAt) =
            try row.decode((Int64, String, String, String, String, String, String, Int, String, Date, Date, Date?).self)
        return ObjectRecord(id: id, uid: uid, kind: kind, org: org, name: name, spec: spec, specHash: specHash, generation: generation,
                            owner: owner, createdAt: createdAt, updatedAt: updatedAt, deletionRequestedAt: deletionRequestedAt)
    }

    func object(_ key: ObjectKey) throws -> ObjectRecord? {
        try objectRows(where: "kind = \(key.kind.rawValue) AND org = \(key.org) AND name = \(key.name)").first
    }

    func object(uid: String) throws -> ObjectRecord? {
        try objectRows(where: "uid = \(uid)").first
    }

    func object(kind: ObjectKind, org: String, nameIgnoringCase name: String) throws -> ObjectRecord? {
        try objectRows(where: "kind = \(kind.rawValue) AND org = \(org) AND lower(name) = \(name.lowercased())").first
    }

    func objects(kind: ObjectKind?, org: String?, includeDeleting: Bool) throws -> [ObjectRecord] {
        // NULL parameters select every kind / org.
        let kindFilter: String? = kind?.rawValue
        let deleting = includeDeleting
        return try objectRows(where: """
            (\(kindFilter)::text IS NULL OR kind = \(kindFilter)) AND (\(org)::text IS NULL OR org = \(org)) \
            AND (\(deleting) OR "deletionRequestedAt" IS NULL)
            """)
    }

    func objectUIDs() throws -> Set<String> {
        Set(try rows("SELECT uid FROM object").map { try $0.decode(String.self) })
    }

    func insert(_ record: ObjectRecord) throws {
        try run("""
            INSERT INTO object (uid, kind, org, name, spec, "specHash", generation, owner, "createdAt", "updatedAt", "deletionRequestedAt")
            VALUES (\(record.uid), \(record.kind), \(record.org), \(record.name), \(record.spec), \(record.specHash), \(record.generation),
                    \(record.owner), \(record.createdAt), \(record.updatedAt), \(record.deletionRequestedAt))
            """)
    }

    func update(_ record: ObjectRecord) throws {
        try run("""
            UPDATE object SET spec = \(record.spec), "specHash" = \(record.specHash), generation = \(record.generation), owner = \(record.owner),
                "updatedAt" = \(record.updatedAt), "deletionRequestedAt" = \(record.deletionRequestedAt)
            WHERE uid = \(record.uid)
            """)
    }

    func deleteObject(uid: String) throws {
        // The status row goes with it (foreign key, ON DELETE CASCADE).
        try run("DELETE FROM object WHERE uid = \(uid)")
    }

    func changeToken() throws -> String {
        let row = try rows("""
            SELECT count(*), to_char(max("updatedAt") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), count("deletionRequestedAt"),
                   coalesce(sum(generation), 0)::bigint FROM object
            """).first
        guard let row else { return "" }
        let (count, updated, deleting, generations) = try row.decode((Int64, String?, Int64, Int64).self)
        return "\(count)|\(updated ?? "")|\(deleting)|\(generations)"
    }

    // MARK: status

    private static let statusColumns = #""objectUID", phase, conditions, "observedGeneration", "lastError", "lastReconcileAt", observed"#

    private static func status(_ row: PostgresRow) throws -> StatusRecord {
        let (uid, phase, conditions, observedGeneration, lastError, lastReconcileAt, observed) =
            try row.decode((String, String, String, Int, String?, Date?, String?).self)
        return StatusRecord(objectUID: uid, phase: phase, conditions: conditions, observedGeneration: observedGeneration,
                            lastError: lastError, lastReconcileAt: lastReconcileAt, observed: observed)
    }

    func status(uid: String) throws -> StatusRecord? {
        try rows("SELECT \(unescaped: Self.statusColumns) FROM status WHERE \"objectUID\" = \(uid)").first.map(Self.status)
    }

    func statuses() throws -> [StatusRecord] {
        try rows("SELECT \(unescaped: Self.statusColumns) FROM status").map(Self.status)
    }

    func upsert(_ status: StatusRecord) throws {
        try run("""
            INSERT INTO status ("objectUID", phase, conditions, "observedGeneration", "lastError", "lastReconcileAt", observed)
            VALUES (\(status.objectUID), \(status.phase), \(status.conditions), \(status.observedGeneration), \(status.lastError),
                    \(status.lastReconcileAt), \(status.observed))
            ON CONFLICT ("objectUID") DO UPDATE SET phase = excluded.phase, conditions = excluded.conditions,
                "observedGeneration" = excluded."observedGeneration", "lastError" = excluded."lastError",
                "lastReconcileAt" = excluded."lastReconcileAt", observed = excluded.observed
            """)
    }

    func upsert(_ statuses: [StatusRecord]) throws {
        // One statement for the batch (a pass writes hundreds): the rows travel as one JSON array; the last row of a
        // uid wins, as row-by-row writes would have it.
        var seen = Set<String>()
        let rows = statuses.reversed().filter { seen.insert($0.objectUID).inserted }.reversed()
        guard !rows.isEmpty else { return }
        let json = String(decoding: try Self.batchEncoder.encode(Array(rows)), as: UTF8.self)
        try run("""
            INSERT INTO status ("objectUID", phase, conditions, "observedGeneration", "lastError", "lastReconcileAt", observed)
            SELECT "objectUID", phase, conditions, "observedGeneration", "lastError", "lastReconcileAt", observed
            FROM jsonb_to_recordset(\(json)::jsonb) AS r("objectUID" text, phase text, conditions text, "observedGeneration" bigint,
                                                        "lastError" text, "lastReconcileAt" timestamptz, observed text)
            ON CONFLICT ("objectUID") DO UPDATE SET phase = excluded.phase, conditions = excluded.conditions,
                "observedGeneration" = excluded."observedGeneration", "lastError" = excluded."lastError",
                "lastReconcileAt" = excluded."lastReconcileAt", observed = excluded.observed
            """)
    }

    /// Dates as ISO 8601 with milliseconds (what the store keeps), which PostgreSQL reads as timestamptz.
    private static let batchEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }()

    // MARK: events

    func insert(_ event: EventRecord) throws -> Int64 {
        let row = try rows("""
            INSERT INTO event ("objectUID", kind, org, name, at, type, reason, message)
            VALUES (\(event.objectUID), \(event.kind), \(event.org), \(event.name), \(event.at), \(event.type), \(event.reason), \(event.message))
            RETURNING id
            """).first
        return try row?.decode(Int64.self) ?? 0
    }

    func events(uid: String, limit: Int?) throws -> [EventRecord] {
        try rows("""
            SELECT id, "objectUID", kind, org, name, at, type, reason, message FROM event WHERE "objectUID" = \(uid)
            ORDER BY id DESC LIMIT \(limit)
            """).map { row in
            let (id, objectUID, kind, org, name, at, type, reason, message) =
                try row.decode((Int64, String, String, String, String, Date, String, String, String).self)
            return EventRecord(id: id, objectUID: objectUID, kind: kind, org: org, name: name, at: at, type: type, reason: reason, message: message)
        }
    }

    // MARK: tenant tasks and the request log

    private static let taskColumns = #"id, "objectUID", operation, "targetGeneration", org, "user", "taskHref", state, message, "createdAt", "updatedAt""#

    private static func task(_ row: PostgresRow) throws -> TenantTaskRecord {
        let (id, objectUID, operation, targetGeneration, org, user, taskHref, state, message, createdAt, updatedAt) =
            try row.decode((Int64, String, String, Int, String, String, String?, String, String?, Date, Date).self)
        return TenantTaskRecord(id: id, objectUID: objectUID, operation: operation, targetGeneration: targetGeneration, org: org, user: user,
                                taskHref: taskHref, state: state, message: message, createdAt: createdAt, updatedAt: updatedAt)
    }

    func insert(_ task: TenantTaskRecord) throws -> Int64 {
        let row = try rows("""
            INSERT INTO "tenantTask" ("objectUID", operation, "targetGeneration", org, "user", "taskHref", state, message, "createdAt", "updatedAt")
            VALUES (\(task.objectUID), \(task.operation), \(task.targetGeneration), \(task.org), \(task.user), \(task.taskHref), \(task.state),
                    \(task.message), \(task.createdAt), \(task.updatedAt))
            RETURNING id
            """).first
        return try row?.decode(Int64.self) ?? 0
    }

    func tenantTask(id: Int64) throws -> TenantTaskRecord? {
        try rows("SELECT \(unescaped: Self.taskColumns) FROM \"tenantTask\" WHERE id = \(id)").first.map(Self.task)
    }

    func tenantTasks(states: [String]) throws -> [TenantTaskRecord] {
        try rows("SELECT \(unescaped: Self.taskColumns) FROM \"tenantTask\" WHERE state = ANY(\(states)) ORDER BY id").map(Self.task)
    }

    func update(_ task: TenantTaskRecord) throws {
        guard let id = task.id else { return }
        try run("""
            UPDATE "tenantTask" SET "taskHref" = \(task.taskHref), state = \(task.state), message = \(task.message), "updatedAt" = \(task.updatedAt)
            WHERE id = \(id)
            """)
    }

    func requestLog(_ requestID: String) throws -> RequestLogRecord? {
        try rows(#"SELECT "requestID", "tenantTaskID", status, reply, at FROM "requestLog" WHERE "requestID" = \#(requestID)"#).first.map { row in
            let (requestID, taskID, status, reply, at) = try row.decode((String, Int64?, Int?, String?, Date).self)
            return RequestLogRecord(requestID: requestID, tenantTaskID: taskID, status: status, reply: reply, at: at)
        }
    }

    func upsert(_ entry: RequestLogRecord) throws {
        try run("""
            INSERT INTO "requestLog" ("requestID", "tenantTaskID", status, reply, at)
            VALUES (\(entry.requestID), \(entry.tenantTaskID), \(entry.status), \(entry.reply), \(entry.at))
            ON CONFLICT ("requestID") DO UPDATE SET "tenantTaskID" = excluded."tenantTaskID", status = excluded.status,
                reply = excluded.reply, at = excluded.at
            """)
    }

    // MARK: leases

    func lease(_ name: String) throws -> LeaseRecord? {
        // FOR UPDATE: in a write transaction the row stays locked until it ends, so two processes renewing or taking
        // the lease at once take turns (a read-only transaction reads it plainly).
        let lock = writing ? " FOR UPDATE" : ""
        return try rows(#"SELECT name, holder, "expiresAt", "acquiredAt", token FROM lease WHERE name = \#(name)\#(unescaped: lock)"#).first.map { row in
            let (name, holder, expiresAt, acquiredAt, token) = try row.decode((String, String, Date, Date, Int64).self)
            return LeaseRecord(name: name, holder: holder, expiresAt: expiresAt, acquiredAt: acquiredAt, token: token)
        }
    }

    func upsert(_ lease: LeaseRecord) throws {
        try run("""
            INSERT INTO lease (name, holder, "expiresAt", "acquiredAt", token)
            VALUES (\(lease.name), \(lease.holder), \(lease.expiresAt), \(lease.acquiredAt), \(lease.token))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "expiresAt" = excluded."expiresAt", "acquiredAt" = excluded."acquiredAt",
                token = excluded.token
            """)
    }

    func insert(_ refused: RefusedWriteRecord) throws {
        try run("""
            INSERT INTO "refusedWrite" (lease, holder, token, write, "currentHolder", "currentToken", at)
            VALUES (\(refused.lease), \(refused.holder), \(refused.token), \(refused.write), \(refused.currentHolder), \(refused.currentToken), \(refused.at))
            """)
    }

    func refusedWrites() throws -> [RefusedWriteRecord] {
        try rows(#"SELECT id, lease, holder, token, write, "currentHolder", "currentToken", at FROM "refusedWrite" ORDER BY id"#).map { row in
            let (id, lease, holder, token, write, currentHolder, currentToken, at) = try row.decode((Int64, String, String, Int64, String, String?, Int64?, Date).self)
            return RefusedWriteRecord(id: id, lease: lease, holder: holder, token: token, write: write, currentHolder: currentHolder,
                                      currentToken: currentToken, at: at)
        }
    }

    func deleteLease(_ name: String, holder: String) throws {
        try run("DELETE FROM lease WHERE name = \(name) AND holder = \(holder)")
    }

    // MARK: installation

    func installationID() throws -> String? {
        try rows("SELECT id FROM installation LIMIT 1").first?.decode(String.self)
    }

    func replaceUnowned(_ entries: [UnownedEntry]) throws {
        try run("DELETE FROM unowned")
        for entry in entries {
            try run("""
                INSERT INTO unowned (kind, org, place, name, owner, installation, reason, "seenAt")
                VALUES (\(entry.kind), \(entry.org), \(entry.place), \(entry.name), \(entry.owner), \(entry.installation), \(entry.reason), \(entry.seenAt))
                """)
        }
    }

    func unowned() throws -> [UnownedEntry] {
        try rows(#"SELECT kind, org, place, name, owner, installation, reason, "seenAt" FROM unowned ORDER BY kind COLLATE "C", org COLLATE "C", name COLLATE "C""#).map { row in
            let (kind, org, place, name, owner, installation, reason, seenAt) =
                try row.decode((String, String, String, String, String, String?, String, Date).self)
            return UnownedEntry(kind: kind, org: org, place: place, name: name, owner: owner, installation: installation, reason: reason, seenAt: seenAt)
        }
    }
}
