import Foundation
import GRDB

/// The embedded engine: one SQLite file in WAL mode through GRDB. Write transactions are IMMEDIATE (GRDB's default
/// for a pool), so they hold SQLite's single write lock from their first statement: writers, in this process or
/// another, take turns (busy timeout 10 s) and never interleave.
final class SQLiteEngine: StoreEngine {
    let path: String
    let pool: DatabasePool

    var location: String { path }

    init(path: String) throws {
        self.path = path
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
            // FULL: a commit that returned survives power loss too, not only a crash of the process.
            try Self.makeWritesDurable(pool)
        }
        if readOnly {
            let pending = try pool.read { db in try !Schema.migrator.hasCompletedMigrations(db) }
            if pending { throw StoreError.unreadable(path: path, reason: "it is read-only and needs an upgrade; open it once with write access") }
        } else {
            try migrate()
        }
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

    func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.completedMigrations(db) }
    }

    func read<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteSession(db: db)) }
    }

    func write<T>(changesDesiredState: Bool, _ body: (any StoreSession) throws -> T) throws -> T {
        try pool.write { db in try body(SQLiteSession(db: db)) }
    }

    /// SQLite has no push notifications: other processes' changes are seen by polling the change token.
    func onDesiredStateChange(_ handler: @escaping @Sendable () -> Void) {}

    func close() {
        try? pool.close()
    }
}
