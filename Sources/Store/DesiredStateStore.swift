import Foundation
import GRDB
import Spec

/// The desired-state store: one SQLite file (WAL) that `cse apply` and tenant requests write
/// and the reconciler reads. Every write is one transaction, durable when it returns.
public final class DesiredStateStore: Sendable {
    public let path: String
    let pool: DatabasePool
    let clock: @Sendable () -> Date

    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        self.path = path
        self.clock = clock
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // A store the user may only read (a copy, another account's file) is opened read-only: reads work, writes say why.
        let readOnly = FileManager.default.fileExists(atPath: path) && !FileManager.default.isWritableFile(atPath: path)
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a commit that returned survives power loss too, not only a crash of the process.
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        if readOnly {
            // In a folder the user cannot write, SQLite cannot make the WAL index a reader needs; an immutable open
            // (https://sqlite.org/uri.html#uriimmutable) reads the file as it is.
            do {
                let opened = try DatabasePool(path: path, configuration: configuration)
                _ = try opened.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
                pool = opened
            } catch {
                pool = try DatabasePool(path: "file:\(path)?immutable=1", configuration: configuration)
            }
        } else {
            pool = try DatabasePool(path: path, configuration: configuration)
        }
        if readOnly {
            let pending = try pool.read { db in try !Schema.migrator.hasCompletedMigrations(db) }
            if pending { throw StoreError.unreadable(path: path, reason: "it is read-only and needs an upgrade; open it once with write access") }
        } else {
            try migrate()
        }
    }

    /// The clock, at the millisecond precision SQLite keeps, so that what is written reads back equal.
    var now: Date {
        Date(timeIntervalSince1970: (clock().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    private func migrate() throws {
        let migrator = Schema.migrator
        let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded {
            let known = Set(migrator.migrations)
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            throw StoreError.schemaTooNew(path: path, unknownMigrations: applied.subtracting(known).sorted())
        }
        try migrator.migrate(pool)
    }

    /// Identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.completedMigrations(db) }
    }

    public static var knownMigrations: [String] { Schema.migrator.migrations }

    // MARK: reads

    public func object(_ key: ObjectKey) throws -> StoredObject? {
        try pool.read { db in try ObjectRecord.filter(key).fetchOne(db)?.stored() }
    }

    public func object(uid: String) throws -> StoredObject? {
        try pool.read { db in try ObjectRecord.filter(Column("uid") == uid).fetchOne(db)?.stored() }
    }

    /// Objects, sorted by kind, org and name. `org` nil = every org; tombstoned ones only when asked.
    public func objects(kind: ObjectKind? = nil, org: String? = nil, includeDeleting: Bool = true) throws -> [StoredObject] {
        try pool.read { db in
            var request = ObjectRecord.all()
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            if let org { request = request.filter(Column("org") == org) }
            if !includeDeleting { request = request.filter(Column("deletionRequestedAt") == nil) }
            return try request.order(Column("kind"), Column("org"), Column("name")).fetchAll(db).map { try $0.stored() }
        }
    }

    // MARK: writes

    /// Creates or updates an object. `expectedGeneration` makes the write optimistic: 0 = must not exist yet
    /// (or only as a tombstone), n = must be at generation n. The generation moves only when the spec changes
    /// or a tombstoned object is restored.
    @discardableResult
    public func put(_ object: DesiredObject, owner: Owner, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
        try pool.write { db in try Self.put(object, owner: owner, expectedGeneration: expectedGeneration, now: now, db: db) }
    }

    /// Marks an object for deletion (a tombstone the reconciler clears once it is gone from vCD).
    @discardableResult
    public func markDeleted(_ key: ObjectKey, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
        try pool.write { db in try Self.markDeleted(key, expectedGeneration: expectedGeneration, now: now, db: db) }
    }

    /// The reconciler confirms a tombstoned object is gone: its row and status go, its events stay.
    /// Refused (returns false) if the object was restored or re-created meanwhile.
    @discardableResult
    public func confirmDeleted(_ key: ObjectKey, uid: String, fence: LeaseFence? = nil) throws -> Bool {
        try fencedWrite(fence, "confirm deletion") { db in
            guard let record = try ObjectRecord.filter(key).fetchOne(db), record.uid == uid,
                  record.deletionRequestedAt != nil else { return false }
            _ = try ObjectRecord.deleteOne(db, key: record.id)
            return true
        }
    }

    /// Runs several store operations in one transaction: all or nothing.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        try pool.write { db in try body(Transaction(db: db, now: now)) }
    }

    /// A write transaction's view of the store.
    public struct Transaction {
        let db: Database
        let now: Date

        public func object(_ key: ObjectKey) throws -> StoredObject? {
            try ObjectRecord.filter(key).fetchOne(db)?.stored()
        }

        @discardableResult
        public func put(_ object: DesiredObject, owner: Owner, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
            try DesiredStateStore.put(object, owner: owner, expectedGeneration: expectedGeneration, now: now, db: db)
        }

        @discardableResult
        public func markDeleted(_ key: ObjectKey, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
            try DesiredStateStore.markDeleted(key, expectedGeneration: expectedGeneration, now: now, db: db)
        }

        public func objects(kind: ObjectKind? = nil) throws -> [StoredObject] {
            var request = ObjectRecord.all()
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            return try request.order(Column("kind"), Column("org"), Column("name")).fetchAll(db).map { try $0.stored() }
        }
    }

    static func put(_ object: DesiredObject, owner: Owner, expectedGeneration: Int?, now: Date, db: Database) throws -> (StoredObject, WriteOutcome) {
        let key = object.key
        let hash = object.specHash
        guard var record = try ObjectRecord.filter(key).fetchOne(db) else {
            if let expected = expectedGeneration, expected != 0 {
                throw StoreError.generationConflict(key, expected: expected, actual: 0)
            }
            // Names become vApp names and DNS host names, which compare without case: `Demo` beside `demo` is one name.
            if let other = try ObjectRecord.filter(Column("kind") == key.kind.rawValue && Column("org") == key.org
                                                   && Column("name").lowercased == key.name.lowercased()).fetchOne(db) {
                throw StoreError.nameTaken(key, existing: other.name)
            }
            var record = ObjectRecord(
                id: nil, uid: UUID().uuidString.lowercased(), kind: key.kind.rawValue, org: key.org, name: key.name,
                spec: object.canonicalJSON, specHash: hash, generation: 1, owner: ObjectRecord.encode(owner),
                createdAt: now, updatedAt: now, deletionRequestedAt: nil)
            try record.insert(db)
            return (try reread(key, db), .created)
        }
        if let expected = expectedGeneration {
            // Expecting 0 ("create") also accepts a tombstone: re-creating a deleted name is allowed.
            let actual = record.generation
            let matches = expected == 0 ? record.deletionRequestedAt != nil : expected == actual
            if !matches { throw StoreError.generationConflict(key, expected: expected, actual: actual) }
        }
        let restoring = record.deletionRequestedAt != nil
        guard restoring || record.specHash != hash else { return (try record.stored(), .unchanged) }
        record.spec = object.canonicalJSON
        record.specHash = hash
        record.generation += 1
        record.updatedAt = now
        record.deletionRequestedAt = nil
        if restoring { record.owner = ObjectRecord.encode(owner) }
        try record.update(db)
        return (try reread(key, db), restoring ? .restored : .updated)
    }

    /// What was just written, as any later read will see it (dates at SQLite's precision).
    private static func reread(_ key: ObjectKey, _ db: Database) throws -> StoredObject {
        guard let record = try ObjectRecord.filter(key).fetchOne(db) else { throw StoreError.notFound(key) }
        return try record.stored()
    }

    static func markDeleted(_ key: ObjectKey, expectedGeneration: Int?, now: Date, db: Database) throws -> (StoredObject, WriteOutcome) {
        guard var record = try ObjectRecord.filter(key).fetchOne(db) else { throw StoreError.notFound(key) }
        if let expected = expectedGeneration, expected != record.generation {
            throw StoreError.generationConflict(key, expected: expected, actual: record.generation)
        }
        guard record.deletionRequestedAt == nil else { return (try record.stored(), .unchanged) }
        record.deletionRequestedAt = now
        record.generation += 1
        record.updatedAt = now
        try record.update(db)
        return (try reread(key, db), .deleted)
    }
}

extension DesiredStateStore {
    /// Changes whenever desired state does (a write by this process or another): objects added, changed,
    /// marked for deletion or removed. Cheap enough to poll every second.
    public func changeToken() throws -> String {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MAX(updatedAt), COUNT(deletionRequestedAt), SUM(generation) FROM object")
            return [0, 1, 2, 3].map { index in row.flatMap { ($0[index] as DatabaseValue?)?.description } ?? "" }.joined(separator: "|")
        }
    }
}
