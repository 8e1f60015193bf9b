import Foundation
import GRDB
import Spec

/// Row operations in one GRDB transaction on the SQLite file.
struct SQLiteSession: StoreSession {
    let db: Database

    private func filter(_ key: ObjectKey) -> QueryInterfaceRequest<ObjectRecord> {
        ObjectRecord.filter(Column("kind") == key.kind.rawValue && Column("org") == key.org && Column("name") == key.name)
    }

    func object(_ key: ObjectKey) throws -> ObjectRecord? {
        try filter(key).fetchOne(db)
    }

    func object(uid: String) throws -> ObjectRecord? {
        try ObjectRecord.filter(Column("uid") == uid).fetchOne(db)
    }

    func object(kind: ObjectKind, org: String, nameIgnoringCase name: String) throws -> ObjectRecord? {
        try ObjectRecord.filter(Column("kind") == kind.rawValue && Column("org") == org && Column("name").lowercased == name.lowercased())
            .fetchOne(db)
    }

    func objects(kind: ObjectKind?, org: String?, includeDeleting: Bool) throws -> [ObjectRecord] {
        var request = ObjectRecord.all()
        if let kind { request = request.filter(Column("kind") == kind.rawValue) }
        if let org { request = request.filter(Column("org") == org) }
        if !includeDeleting { request = request.filter(Column("deletionRequestedAt") == nil) }
        return try request.order(Column("kind"), Column("org"), Column("name")).fetchAll(db)
    }

    func objectUIDs() throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT uid FROM object"))
    }

    func insert(_ record: ObjectRecord) throws {
        var record = record
        try record.insert(db)
    }

    func update(_ record: ObjectRecord) throws {
        try db.execute(sql: """
            UPDATE object SET spec = ?, specHash = ?, generation = ?, owner = ?, updatedAt = ?, deletionRequestedAt = ? WHERE uid = ?
            """, arguments: [record.spec, record.specHash, record.generation, record.owner, record.updatedAt, record.deletionRequestedAt, record.uid])
    }

    func deleteObject(uid: String) throws {
        // The status row goes with it (foreign key, ON DELETE CASCADE).
        try db.execute(sql: "DELETE FROM object WHERE uid = ?", arguments: [uid])
    }

    func changeToken() throws -> String {
        let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MAX(updatedAt), COUNT(deletionRequestedAt), SUM(generation) FROM object")
        return [0, 1, 2, 3].map { index in row.flatMap { ($0[index] as DatabaseValue?)?.description } ?? "" }.joined(separator: "|")
    }

    func status(uid: String) throws -> StatusRecord? {
        try StatusRecord.fetchOne(db, key: uid)
    }

    func statuses() throws -> [StatusRecord] {
        try StatusRecord.fetchAll(db)
    }

    func upsert(_ status: StatusRecord) throws {
        try status.upsert(db)
    }

    func upsert(_ statuses: [StatusRecord]) throws {
        for status in statuses { try status.upsert(db) }
    }

    func insert(_ event: EventRecord) throws -> Int64 {
        var event = event
        try event.insert(db)
        return event.id ?? 0
    }

    func events(uid: String, limit: Int?) throws -> [EventRecord] {
        var request = EventRecord.filter(Column("objectUID") == uid).order(Column("id").desc)
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db)
    }

    func insert(_ task: TenantTaskRecord) throws -> Int64 {
        var task = task
        try task.insert(db)
        return task.id ?? 0
    }

    func tenantTask(id: Int64) throws -> TenantTaskRecord? {
        try TenantTaskRecord.fetchOne(db, key: id)
    }

    func tenantTasks(states: [String]) throws -> [TenantTaskRecord] {
        try TenantTaskRecord.filter(states.contains(Column("state"))).order(Column("id")).fetchAll(db)
    }

    func update(_ task: TenantTaskRecord) throws {
        try task.update(db)
    }

    func requestLog(_ requestID: String) throws -> RequestLogRecord? {
        try RequestLogRecord.fetchOne(db, key: requestID)
    }

    func upsert(_ entry: RequestLogRecord) throws {
        try entry.upsert(db)
    }

    func lease(_ name: String) throws -> LeaseRecord? {
        // A write transaction holds SQLite's one write lock from its start: nobody else writes the row meanwhile.
        try LeaseRecord.fetchOne(db, key: name)
    }

    func upsert(_ lease: LeaseRecord) throws {
        try lease.upsert(db)
    }

    func deleteLease(_ name: String, holder: String) throws {
        _ = try LeaseRecord.filter(Column("name") == name && Column("holder") == holder).deleteAll(db)
    }

    func insert(_ refused: RefusedWriteRecord) throws {
        var record = refused
        try record.insert(db)
    }

    func refusedWrites() throws -> [RefusedWriteRecord] {
        try RefusedWriteRecord.order(Column("id")).fetchAll(db)
    }

    func installationID() throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM installation LIMIT 1")
    }

    func replaceUnowned(_ entries: [UnownedEntry]) throws {
        try UnownedEntry.deleteAll(db)
        for entry in entries { try entry.insert(db) }
    }

    func unowned() throws -> [UnownedEntry] {
        try UnownedEntry.order(Column("kind"), Column("org"), Column("name")).fetchAll(db)
    }
}
