import Foundation
import GRDB
import Spec

/// A new object made ready outside any transaction (uid, canonical spec, hash and owner computed once), so that the
/// write that inserts it does as little as possible: tenant requests' writes run one after another in group commits.
public struct NewObject: Sendable {
    public let object: DesiredObject
    public let owner: Owner
    let uid: String
    let canonicalJSON: String
    let specHash: String
    let ownerJSON: String

    public init(_ object: DesiredObject, owner: Owner) throws {
        let canonicalJSON = object.canonicalJSON
        if case .cluster = object {
            // A cluster's spec has synthesized coding of strings, integers and optionals only, so it reads back as it was
            // written (`TenantPathWriteTests` checks the round trip); the tenant path makes one per create and skips
            // parsing it again.
            self.object = object
        } else {
            // As a later read decodes it (a template's canonical form fills what its spec left to defaults).
            do {
                self.object = try DesiredObject.decode(kind: object.kind, canonicalJSON: canonicalJSON)
            } catch {
                throw StoreError.corruptSpec(object.key, "\(error)")
            }
        }
        self.canonicalJSON = canonicalJSON
        self.owner = owner
        uid = RandomUUID.objectUID()
        specHash = DesiredObject.specHash(kind: object.kind, canonicalJSON: canonicalJSON)
        ownerJSON = ObjectRecord.encode(owner)
    }
}

/// An object whose name equals another's without regard to case.
public struct SameName: Sendable, Equatable {
    public var name: String
    public var isDeleting: Bool
}

/// The tenant path's writes. On SQLite each runs on a cached prepared statement (they repeat for every request); on
/// other engines they use the session's row operations. Same rows and meaning as `put`, `createTenantTask`,
/// `logRequest` and `updateTenantTask`.
extension DesiredStateStore.Transaction {
    private var sqlite: Database? { (session as? SQLiteSession)?.db }

    /// `now` as SQLite stores it, formatted once for the whole group-committed batch (GRDB formats a `Date` through a
    /// date formatter, which cost more than the rest of a tenant write's statements).
    private var storedNow: StoredDate { StoredDate.of(now) }

    /// The object of the same kind and org whose name equals `key.name` without regard to case (the exact name first),
    /// if any: names become vApp and DNS host names, so a create must not clash with it (as `put` refuses).
    public func sameName(as key: ObjectKey) throws -> SameName? {
        guard let db = sqlite else {
            let found = try session.object(key) ?? session.object(kind: key.kind, org: key.org, nameIgnoringCase: key.name)
            return found.map { SameName(name: $0.name, isDeleting: $0.deletionRequestedAt != nil) }
        }
        let statement = try db.cachedStatement(sql: Self.sameNameSQL)
        guard let row = try Row.fetchOne(statement, arguments: [key.kind.rawValue, key.org, key.name.lowercased(), key.name]) else { return nil }
        return SameName(name: row[0], isDeleting: row[1])
    }

    /// Served by the index `objectFoldedName` (schema v5), not by reading every object of the org.
    static let sameNameSQL = """
        SELECT name, deletionRequestedAt IS NOT NULL FROM object
        WHERE kind = ? AND org = ? AND lower(name) = ? ORDER BY name = ? DESC LIMIT 1
        """

    /// Inserts an object at generation 1; the caller checked with `sameName(as:)` in this transaction that its name is
    /// free. Returns it as any later read sees it (dates at the store's millisecond precision).
    public func insert(_ new: NewObject) throws -> StoredObject {
        let key = new.object.key
        guard let db = sqlite else {
            try session.insert(ObjectRecord(id: nil, uid: new.uid, kind: key.kind.rawValue, org: key.org, name: key.name, spec: new.canonicalJSON,
                                            specHash: new.specHash, generation: 1, owner: new.ownerJSON, createdAt: now, updatedAt: now,
                                            deletionRequestedAt: nil))
            guard let stored = try session.object(key) else { throw StoreError.notFound(key) }
            return try stored.stored()
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO object (uid, kind, org, name, spec, specHash, generation, owner, createdAt, updatedAt, deletionRequestedAt)
            VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, NULL)
            """)
        let storedNow = self.storedNow
        try statement.execute(arguments: [new.uid, key.kind.rawValue, key.org, key.name, new.canonicalJSON, new.specHash, new.ownerJSON,
                                          storedNow.value, storedNow.value])
        let stored = storedNow.readBack
        return StoredObject(uid: new.uid, object: new.object, specHash: new.specHash, generation: 1, owner: new.owner,
                            createdAt: stored, updatedAt: stored, deletionRequestedAt: nil)
    }

    /// `createTenantTask`, on a cached statement.
    public func insertTenantTask(objectUID: String, operation: TenantTask.Operation, targetGeneration: Int, org: String, user: String) throws -> TenantTask {
        guard let db = sqlite else {
            return try createTenantTask(objectUID: objectUID, operation: operation, targetGeneration: targetGeneration, org: org, user: user)
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tenantTask (objectUID, operation, targetGeneration, org, "user", taskHref, state, message, createdAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?)
            """)
        try statement.execute(arguments: [objectUID, operation.rawValue, targetGeneration, org, user, TenantTask.State.pending.rawValue,
                                          storedNow.value, storedNow.value])
        return TenantTask(id: db.lastInsertedRowID, objectUID: objectUID, operation: operation, targetGeneration: targetGeneration, org: org,
                          user: user, taskHref: nil, state: .pending, message: nil)
    }

    /// A live (not being deleted) template's name: `requested` when there is one by that name, else (nil) the first in
    /// the order `objectNames` lists them (org, then name).
    public func liveTemplateName(_ requested: String?) throws -> String? {
        guard let db = sqlite else {
            let names = try session.objects(kind: .template, org: nil, includeDeleting: false).map(\.name)
            guard let requested else { return names.first }
            return names.contains(requested) ? requested : nil
        }
        let kind = ObjectKind.template.rawValue
        if let requested {
            let statement = try db.cachedStatement(sql: "SELECT name FROM object WHERE kind = ? AND name = ? AND deletionRequestedAt IS NULL LIMIT 1")
            return try String.fetchOne(statement, arguments: [kind, requested])
        }
        let statement = try db.cachedStatement(sql: "SELECT name FROM object WHERE kind = ? AND deletionRequestedAt IS NULL ORDER BY org, name LIMIT 1")
        return try String.fetchOne(statement, arguments: [kind])
    }

    /// `loggedRequest`, on a cached statement.
    public func loggedRequestCached(_ requestID: String) throws -> LoggedRequest? {
        guard let db = sqlite else { return try loggedRequest(requestID) }
        let statement = try db.cachedStatement(sql: "SELECT tenantTaskID, status, reply FROM requestLog WHERE requestID = ?")
        guard let row = try Row.fetchOne(statement, arguments: [requestID]) else { return nil }
        return LoggedRequest(requestID: requestID, tenantTaskID: row[0], status: row[1], reply: row[2])
    }

    /// `logRequest` (insert or replace the request's entry), on a cached statement.
    public func recordRequest(_ requestID: String, tenantTaskID: Int64?, status: Int? = nil, reply: String? = nil) throws {
        guard let db = sqlite else { return try logRequest(requestID, tenantTaskID: tenantTaskID, status: status, reply: reply) }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO requestLog (requestID, tenantTaskID, status, reply, at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(requestID) DO UPDATE SET tenantTaskID = excluded.tenantTaskID, status = excluded.status,
                reply = excluded.reply, at = excluded.at
            """)
        try statement.execute(arguments: [requestID, tenantTaskID, status, reply, storedNow.value])
    }

    /// Records the vCD task's href of a tenant task and marks it running (as `updateTenantTask` does), on a cached statement.
    public func recordTaskHref(_ taskHref: String, ofTenantTask id: Int64) throws {
        guard let db = sqlite else {
            guard var record = try session.tenantTask(id: id) else { return }
            record.taskHref = taskHref
            record.state = TenantTask.State.running.rawValue
            record.updatedAt = now
            try session.update(record)
            return
        }
        let statement = try db.cachedStatement(sql: "UPDATE tenantTask SET taskHref = ?, state = ?, updatedAt = ? WHERE id = ?")
        try statement.execute(arguments: [taskHref, TenantTask.State.running.rawValue, storedNow.value, id])
    }
}
