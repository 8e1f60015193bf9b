import Foundation
import Logging
import NIOCore
import PostgresNIO
import Spec

/// The shared engine: desired state in a PostgreSQL database, through postgres-nio, for several `cse` processes
/// (replicas) at once. Every write transaction is SERIALIZABLE, so the store's read-check-write rules (generation
/// checks, case-insensitive names, the request log, leases, whose row is also locked FOR UPDATE) hold as if writers
/// took turns; a transaction that loses a race is rolled back and run again. Reads run in one REPEATABLE READ
/// READ ONLY snapshot. Each transaction that changes desired objects sends `NOTIFY` on the store's channel, which
/// other processes' listeners turn into a wake-up. Bridging to synchronous callers: see `PostgresConnectionPool`.
final class PostgresEngine: StoreEngine {
    let url: PostgresURL
    private let pool: PostgresConnectionPool
    private let listener: PostgresChangeListener

    var location: String { url.redacted }

    /// How often a transaction that lost a serialization race is run again before the error reaches the caller.
    static let attempts = 50

    /// `creating`: make the tables when the database (or schema) has none; otherwise such a database is refused.
    init(url: PostgresURL, creating: Bool = true) throws {
        self.url = url
        pool = try PostgresConnectionPool(url: url)
        listener = PostgresChangeListener(pool: pool, channel: Self.channel(for: url))
        do {
            try pool.withConnection { connection in
                if !creating, try !PostgresSchema.exists(connection, logger: pool.logger) {
                    throw StoreError.unreadable(path: url.redacted, reason: "no store there: `cse apply` or `cse run` creates one; check store.url")
                }
                try PostgresSchema.migrate(connection, url: url, logger: pool.logger)
            }
        } catch {
            pool.close()
            throw PostgresErrors.storeError(error, url: url, doing: "cannot migrate the schema")
        }
    }

    /// The NOTIFY channel: one per schema, so stores sharing a database do not wake each other.
    static func channel(for url: PostgresURL) -> String {
        let name = "cse_desired_state" + (url.schema.map { "_" + $0 } ?? "")
        guard name.utf8.count > 63 else { return name }
        // Channel names are identifiers (at most 63 bytes): a long schema name is replaced by its FNV-1a hash.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "cse_desired_state_" + String(hash, radix: 16)
    }

    func appliedMigrations() throws -> [String] {
        do {
            return try pool.withConnection { connection in try PostgresSchema.applied(connection, logger: pool.logger) }
        } catch {
            throw PostgresErrors.storeError(error, url: url, doing: "cannot read the migrations")
        }
    }

    func read<T>(_ body: (any StoreSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing: false, notify: false, body)
    }

    func write<T>(changesDesiredState: Bool, _ body: (any StoreSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", writing: true, notify: changesDesiredState, body)
    }

    private func transaction<T>(begin: String, writing: Bool, notify: Bool, _ body: (any StoreSession) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try pool.withConnection { connection in
                    try once(connection, begin: begin, writing: writing, notify: notify, body)
                }
            } catch let lost as LostBeforeCommit where attempt < 3 {
                // A pooled connection the server closed (a restart, an idle timeout): nothing was committed; once more
                // on a new connection.
                _ = lost
                continue
            } catch {
                if let state = PostgresErrors.sqlState(error), PostgresErrors.retryable.contains(state), attempt < Self.attempts {
                    // Let the winner finish; a little jitter keeps two losers from colliding again.
                    Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.005) * Double(min(attempt, 10)))
                    continue
                }
                let error = (error as? LostBeforeCommit)?.underlying ?? error
                throw PostgresErrors.storeError(error, url: url, doing: writing ? "write failed" : "read failed")
            }
        }
    }

    private func once<T>(_ connection: PostgresConnection, begin: String, writing: Bool, notify: Bool,
                         _ body: (any StoreSession) throws -> T) throws -> T {
        let logger = pool.logger
        let result: T
        do {
            _ = try connection.run(PostgresQuery(unsafeSQL: begin), logger: logger)
            result = try body(PostgresSession(connection: connection, logger: logger, writing: writing))
            if notify {
                // Delivered to listeners when (and only if) the transaction commits.
                _ = try connection.run("SELECT pg_notify(\(Self.channel(for: url)), '')", logger: logger)
            }
        } catch {
            // The server rolls back a transaction whose connection is lost: it can run again, on another connection.
            if PostgresErrors.isConnectionLost(error) { throw ConnectionInDoubt(underlying: LostBeforeCommit(underlying: error)) }
            do {
                _ = try connection.run("ROLLBACK", logger: logger)
            } catch {
                throw ConnectionInDoubt(underlying: error)
            }
            throw error
        }
        do {
            _ = try connection.run("COMMIT", logger: logger)
        } catch {
            // Lost during COMMIT, the write may or may not have been applied: never run blindly again.
            if PostgresErrors.isConnectionLost(error) {
                throw ConnectionInDoubt(underlying: StoreError.unavailable(
                    location: url.redacted, reason: "the connection was lost while committing; the change may or may not be stored"))
            }
            throw error
        }
        return result
    }

    func onDesiredStateChange(_ handler: @escaping @Sendable () -> Void) {
        listener.add(handler)
    }

    func close() {
        listener.stop()
        pool.close()
    }
}

extension PostgresEngine {
    /// Runs one SQL statement in its own transaction (tests use it to shape a database; it is not part of the store's API).
    func execute(_ sql: String) throws {
        try write(changesDesiredState: false) { session in
            guard let session = session as? PostgresSession else { return }
            _ = try session.connection.run(PostgresQuery(unsafeSQL: sql), logger: session.logger)
        }
    }

    /// Shapes a database as an older cse left it: migrations up to `last`, then `statements` (tests of upgrades).
    static func prepare(_ url: PostgresURL, migratedUpTo last: String, then statements: [String]) throws {
        let pool = try PostgresConnectionPool(url: url, maximum: 1)
        defer { pool.close() }
        try pool.withConnection { connection in
            try PostgresSchema.migrate(connection, url: url, logger: pool.logger, upTo: last)
            for statement in statements {
                _ = try connection.run(PostgresQuery(unsafeSQL: statement), logger: pool.logger)
            }
        }
    }
}

/// A transaction's connection was lost before COMMIT was sent: nothing of it was stored.
struct LostBeforeCommit: Error {
    let underlying: any Error
}
