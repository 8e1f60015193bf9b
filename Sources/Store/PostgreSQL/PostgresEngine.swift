import Foundation
import Logging
import NIOCore
import PostgresNIO

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

    init(url: PostgresURL) throws {
        self.url = url
        pool = PostgresConnectionPool(url: url)
        listener = PostgresChangeListener(pool: pool, channel: Self.channel(for: url))
        do {
            try pool.withConnection { connection in try PostgresSchema.migrate(connection, url: url, logger: pool.logger) }
        } catch {
            pool.close()
            throw PostgresErrors.storeError(error, url: url, doing: "cannot migrate the schema")
        }
    }

    /// The NOTIFY channel: one per schema, so stores sharing a database do not wake each other.
    static func channel(for url: PostgresURL) -> String {
        "cse_desired_state" + (url.schema.map { "_" + $0 } ?? "")
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
            } catch {
                if let state = PostgresErrors.sqlState(error), PostgresErrors.retryable.contains(state), attempt < Self.attempts {
                    // Let the winner finish; a little jitter keeps two losers from colliding again.
                    Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.005) * Double(min(attempt, 10)))
                    continue
                }
                throw PostgresErrors.storeError(error, url: url, doing: writing ? "write failed" : "read failed")
            }
        }
    }

    private func once<T>(_ connection: PostgresConnection, begin: String, writing: Bool, notify: Bool,
                         _ body: (any StoreSession) throws -> T) throws -> T {
        let logger = pool.logger
        _ = try connection.query(PostgresQuery(unsafeSQL: begin), logger: logger).wait()
        do {
            let result = try body(PostgresSession(connection: connection, logger: logger, writing: writing))
            if notify {
                // Delivered to listeners when (and only if) the transaction commits.
                _ = try connection.query("SELECT pg_notify(\(Self.channel(for: url)), '')", logger: logger).wait()
            }
            _ = try connection.query("COMMIT", logger: logger).wait()
            return result
        } catch {
            do {
                _ = try connection.query("ROLLBACK", logger: logger).wait()
            } catch {
                throw ConnectionInDoubt(underlying: error)
            }
            throw error
        }
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
            _ = try session.connection.query(PostgresQuery(unsafeSQL: sql), logger: session.logger).wait()
        }
    }
}
