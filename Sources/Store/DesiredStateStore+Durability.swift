import GRDB

extension DesiredStateStore {
    /// SQLite's `PRAGMA synchronous` levels (https://sqlite.org/pragma.html#pragma_synchronous).
    public enum SynchronousMode: Int, Sendable, CustomStringConvertible {
        case off = 0, normal = 1, full = 2, extra = 3

        public var description: String {
            switch self {
            case .off: return "OFF"
            case .normal: return "NORMAL"
            case .full: return "FULL"
            case .extra: return "EXTRA"
            }
        }
    }

    /// For an SQLite store, the `synchronous` level of the connection every write goes through, read back from it
    /// (nil for PostgreSQL, whose commits are durable by its own `synchronous_commit`). FULL means a commit that
    /// returned was fsynced (in WAL mode, the log), so it survives a power loss, not only a crash of the process.
    public func writerSynchronousMode() throws -> SynchronousMode? {
        guard let sqlite = engine as? SQLiteEngine else { return nil }
        return try sqlite.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous").flatMap(SynchronousMode.init(rawValue:))
        }
    }
}

extension SQLiteEngine {
    /// Sets FULL on the writer connection. GRDB's DatabasePool switches its writer to WAL after `prepareDatabase` ran
    /// and sets `synchronous = NORMAL` as it does (GRDB 7, `Database.setUpWALMode`), so FULL must be set once the pool
    /// exists. A pool has one writer connection for its whole life, so this holds for every later write.
    static func makeWritesDurable(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }
}
