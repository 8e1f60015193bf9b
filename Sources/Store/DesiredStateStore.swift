import Foundation
import Spec

/// The desired-state store that `cse apply` and tenant requests write and the reconciler reads: an SQLite file (WAL,
/// the embedded default) or a PostgreSQL database. Every write is one transaction, durable when it returns.
/// The rules live here, once, over an engine's row operations (`StoreEngine`), so callers never know the engine.
public final class DesiredStateStore: Sendable {
    /// The SQLite file; for PostgreSQL, the local path beside which per-machine files (keys, the embedded
    /// simulator's state) are kept.
    public let path: String
    let engine: any StoreEngine
    let clock: @Sendable () -> Date

    /// The SQLite store at `path` (made, with its folder, when missing; migrated when older).
    public convenience init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        try self.init(engine: SQLiteEngine(path: path), path: path, clock: clock)
    }

    /// The PostgreSQL store at `url` (migrated when older). `creating`: its tables (and the schema the URL names) are
    /// made when missing; otherwise a database without a store is refused (`StoreError.unreadable`).
    /// `path` is the local path beside which per-machine files are kept (`store.path`).
    public convenience init(postgres url: PostgresURL, path: String, creating: Bool = true,
                            clock: @escaping @Sendable () -> Date = { Date() }) throws {
        try self.init(engine: PostgresEngine(url: url, creating: creating), path: path, clock: clock)
    }

    init(engine: any StoreEngine, path: String, clock: @escaping @Sendable () -> Date) {
        self.engine = engine
        self.path = path
        self.clock = clock
    }

    deinit {
        engine.close()
    }

    /// Where desired state lives, for messages: the SQLite file, or the PostgreSQL URL without its password.
    public var location: String { engine.location }

    /// The clock, at the millisecond precision every engine keeps, so that what is written reads back equal.
    var now: Date {
        Date(timeIntervalSince1970: (clock().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try engine.appliedMigrations()
    }

    public static var knownMigrations: [String] { Migrations.all }

    /// Drops the PostgreSQL schema a benchmark made for itself (`cse bench store`); nothing for SQLite.
    public func dropSchemaOfBenchmark() throws {
        guard let engine = engine as? PostgresEngine, let schema = engine.url.schema, schema.hasPrefix("bench_") else { return }
        try engine.execute("DROP SCHEMA \(PostgresSchema.quoted(schema)) CASCADE")
    }

    /// Ends the store's connections (PostgreSQL); later calls fail.
    public func close() {
        engine.close()
    }

    func read<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        try engine.read(body)
    }

    func write<T>(changesDesiredState: Bool = false, _ body: (any StoreSession) throws -> T) throws -> T {
        let started = ContinuousClock.now
        let result = try engine.write(changesDesiredState: changesDesiredState, body)
        StoreMetrics.committed(after: ContinuousClock.now - started)
        return result
    }

    // MARK: reads

    public func object(_ key: ObjectKey) throws -> StoredObject? {
        try read { try $0.object(key)?.stored() }
    }

    public func object(uid: String) throws -> StoredObject? {
        try read { try $0.object(uid: uid)?.stored() }
    }

    /// Objects, sorted by kind, org and name. `org` nil = every org; tombstoned ones only when asked.
    public func objects(kind: ObjectKind? = nil, org: String? = nil, includeDeleting: Bool = true) throws -> [StoredObject] {
        try read { try $0.objects(kind: kind, org: org, includeDeleting: includeDeleting).map { try $0.stored() } }
    }

    // MARK: writes

    /// Creates or updates an object. `expectedGeneration` makes the write optimistic: 0 = must not exist yet
    /// (or only as a tombstone), n = must be at generation n. The generation moves only when the spec changes
    /// or a tombstoned object is restored.
    @discardableResult
    public func put(_ object: DesiredObject, owner: Owner, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
        try transaction { try $0.put(object, owner: owner, expectedGeneration: expectedGeneration) }
    }

    /// Marks an object for deletion (a tombstone the reconciler clears once it is gone from vCD).
    @discardableResult
    public func markDeleted(_ key: ObjectKey, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
        try transaction { try $0.markDeleted(key, expectedGeneration: expectedGeneration) }
    }

    /// The reconciler confirms a tombstoned object is gone: its row and status go, its events stay.
    /// Refused (returns false) if the object was restored or re-created meanwhile.
    @discardableResult
    public func confirmDeleted(_ key: ObjectKey, uid: String, fence: LeaseFence? = nil) throws -> Bool {
        try fencedWrite(fence, "confirm deletion", changesDesiredState: true) { session in
            guard let record = try session.object(key), record.uid == uid, record.deletionRequestedAt != nil else { return false }
            try session.deleteObject(uid: uid)
            return true
        }
    }

    /// Runs several store operations in one transaction: all or nothing. `body` may run more than once (PostgreSQL
    /// retries a transaction that lost a race with another writer), so it acts only through `tx`.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        try write(changesDesiredState: true) { session in try body(Transaction(session: session, now: now)) }
    }

    /// A write transaction's view of the store.
    public struct Transaction {
        let session: any StoreSession
        let now: Date

        public func object(_ key: ObjectKey) throws -> StoredObject? {
            try session.object(key)?.stored()
        }

        public func objects(kind: ObjectKind? = nil) throws -> [StoredObject] {
            try session.objects(kind: kind, org: nil, includeDeleting: true).map { try $0.stored() }
        }

        @discardableResult
        public func put(_ object: DesiredObject, owner: Owner, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
            let key = object.key
            let hash = object.specHash
            guard var record = try session.object(key) else {
                if let expected = expectedGeneration, expected != 0 {
                    throw StoreError.generationConflict(key, expected: expected, actual: 0)
                }
                // Names become vApp names and DNS host names, which compare without case: `Demo` beside `demo` is one name.
                if let other = try session.object(kind: key.kind, org: key.org, nameIgnoringCase: key.name) {
                    throw StoreError.nameTaken(key, existing: other.name)
                }
                try session.insert(ObjectRecord(
                    id: nil, uid: RandomUUID.objectUID(), kind: key.kind.rawValue, org: key.org, name: key.name,
                    spec: object.canonicalJSON, specHash: hash, generation: 1, owner: ObjectRecord.encode(owner),
                    createdAt: now, updatedAt: now, deletionRequestedAt: nil))
                return (try reread(key), .created)
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
            try session.update(record)
            return (try reread(key), restoring ? .restored : .updated)
        }

        @discardableResult
        public func markDeleted(_ key: ObjectKey, expectedGeneration: Int? = nil) throws -> (StoredObject, WriteOutcome) {
            guard var record = try session.object(key) else { throw StoreError.notFound(key) }
            if let expected = expectedGeneration, expected != record.generation {
                throw StoreError.generationConflict(key, expected: expected, actual: record.generation)
            }
            guard record.deletionRequestedAt == nil else { return (try record.stored(), .unchanged) }
            record.deletionRequestedAt = now
            record.generation += 1
            record.updatedAt = now
            try session.update(record)
            return (try reread(key), .deleted)
        }

        /// What was just written, as any later read will see it (dates at the engine's precision).
        private func reread(_ key: ObjectKey) throws -> StoredObject {
            guard let record = try session.object(key) else { throw StoreError.notFound(key) }
            return try record.stored()
        }
    }
}

extension DesiredStateStore {
    /// Changes whenever desired state does (a write by this process or another): objects added, changed,
    /// marked for deletion or removed. Cheap enough to poll every second.
    public func changeToken() throws -> String {
        try read { try $0.changeToken() }
    }

    /// Calls `handler` as soon as any process commits a change of desired state, where the engine can tell
    /// (PostgreSQL's LISTEN/NOTIFY); with SQLite it is never called and `changeToken()` polling finds changes.
    /// The handler runs on the engine's thread: it must return quickly (e.g. poke the reconciler).
    public func onDesiredStateChange(_ handler: @escaping @Sendable () -> Void) {
        engine.onDesiredStateChange(handler)
    }
}
