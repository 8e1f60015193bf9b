import Foundation
import Spec

/// A database the store keeps desired state in (SQLite or PostgreSQL). The store's rules (generations, tombstones,
/// case-insensitive names, leases, the request log) are written once in `DesiredStateStore` over `StoreSession`'s
/// row operations; an engine only runs transactions and reads and writes rows, so both engines behave alike.
protocol StoreEngine: Sendable {
    /// Where the data lives, for messages: a file path, or a URL without its password.
    var location: String { get }

    /// Runs `body` in a read-only transaction (one consistent snapshot).
    func read<T>(_ body: (any StoreSession) throws -> T) throws -> T

    /// Runs `body` in one write transaction: all or nothing, durable when it returns. `body` may run more than once
    /// (an engine retries a transaction that lost a serialization race), so it must act only through the session.
    /// `changesDesiredState` announces a change of desired objects to other processes (PostgreSQL's NOTIFY).
    func write<T>(changesDesiredState: Bool, _ body: (any StoreSession) throws -> T) throws -> T

    /// Identifiers of the migrations applied to the database, in order.
    func appliedMigrations() throws -> [String]

    /// Calls `handler` whenever another connection (or this one) commits a change of desired objects, as soon as the
    /// engine learns of it; engines without push notifications never call it (the change token is polled instead).
    func onDesiredStateChange(_ handler: @escaping @Sendable () -> Void)

    /// Ends the engine's connections; the store is unusable afterwards.
    func close()
}

/// One transaction's row operations. Rows are the plain records of `Records.swift`.
protocol StoreSession {
    /// Runs `body` inside a savepoint: when it throws, only what it wrote is undone (and the error rethrown), unless
    /// the error ends the whole transaction (`endsTransaction`), which the engine then retries or fails as a whole.
    func savepoint(_ body: () throws -> Void) throws
    /// True when `error` leaves the transaction unusable (a lost serialization race): no savepoint can undo it.
    func endsTransaction(_ error: any Error) -> Bool

    // Objects.
    func object(_ key: ObjectKey) throws -> ObjectRecord?
    func object(uid: String) throws -> ObjectRecord?
    /// An object of that kind in that org whose name equals `name` ignoring case.
    func object(kind: ObjectKind, org: String, nameIgnoringCase name: String) throws -> ObjectRecord?
    /// Sorted by kind, org and name.
    func objects(kind: ObjectKind?, org: String?, includeDeleting: Bool) throws -> [ObjectRecord]
    func objectUIDs() throws -> Set<String>
    func insert(_ record: ObjectRecord) throws
    /// Updates the row with the record's uid.
    func update(_ record: ObjectRecord) throws
    /// Removes the object's row and its status (events stay).
    func deleteObject(uid: String) throws
    /// Changes whenever a desired object is added, changed, marked or removed.
    func changeToken() throws -> String

    // Status.
    func status(uid: String) throws -> StatusRecord?
    func statuses() throws -> [StatusRecord]
    func upsert(_ status: StatusRecord) throws
    /// Several status rows at once (one statement where the engine can).
    func upsert(_ statuses: [StatusRecord]) throws

    // Events.
    func insert(_ event: EventRecord) throws -> Int64
    /// Newest first.
    func events(uid: String, limit: Int?) throws -> [EventRecord]

    // Tenant tasks and the request log.
    func insert(_ task: TenantTaskRecord) throws -> Int64
    func tenantTask(id: Int64) throws -> TenantTaskRecord?
    /// Ordered by id.
    func tenantTasks(states: [String]) throws -> [TenantTaskRecord]
    func update(_ task: TenantTaskRecord) throws
    func requestLog(_ requestID: String) throws -> RequestLogRecord?
    func upsert(_ entry: RequestLogRecord) throws

    // Leases.
    /// Reads the lease row; in a write transaction the row stays locked against other writers until it ends.
    func lease(_ name: String) throws -> LeaseRecord?
    func upsert(_ lease: LeaseRecord) throws
    func deleteLease(_ name: String, holder: String) throws
    /// Records a write refused for a stale fencing token.
    func insert(_ refused: RefusedWriteRecord) throws
    /// Oldest first.
    func refusedWrites() throws -> [RefusedWriteRecord]

    // Installation.
    func installationID() throws -> String?
    func replaceUnowned(_ entries: [UnownedEntry]) throws
    /// Sorted by kind, org and name.
    func unowned() throws -> [UnownedEntry]
}
