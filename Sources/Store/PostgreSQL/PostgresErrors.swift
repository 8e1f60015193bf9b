import Foundation
import PostgresNIO
import Spec

/// PostgreSQL failures as the store reports them: the server's message and SQLSTATE, or what went wrong with the
/// connection, with the URL's password left out (postgres-nio's own descriptions are generic on purpose).
enum PostgresErrors {
    /// SQLSTATEs after which the whole transaction is run again: it lost a race with another writer.
    /// 40001 serialization_failure, 40P01 deadlock_detected, 23505 unique_violation (a concurrent insert of the same
    /// key; the retry reads the winner's row and answers as the rules say).
    static let retryable: Set<String> = ["40001", "40P01", "23505"]

    /// The connection is gone: closed by the server (restart, pg_terminate_backend: 57P01..57P03) or the network.
    static func isConnectionLost(_ error: any Error) -> Bool {
        if error is ConnectionClosed || error is StatementTimedOut { return true }
        guard let psql = error as? PSQLError else { return false }
        if let state = psql.serverInfo?[.sqlState] { return state.hasPrefix("57P") }
        return [PSQLError.Code.serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection].contains(psql.code)
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// PostgreSQL's errors become `StoreError.unavailable`; any other error (the store's rules, a caller's own error
    /// thrown from a transaction body) passes through unchanged.
    static func storeError(_ error: any Error, url: PostgresURL, doing: String) -> any Error {
        if error is PostgresDecodingError {
            return StoreError.unavailable(location: url.redacted, reason: "\(doing): a value read back has an unexpected type")
        }
        if error is ConnectionClosed { return StoreError.unavailable(location: url.redacted, reason: "\(doing): the connection was closed") }
        if error is StatementTimedOut {
            return StoreError.unavailable(location: url.redacted, reason: "\(doing): no answer from the server in \(PostgresConnection.statementTimeout.nanoseconds / 1_000_000_000) s")
        }
        guard let psql = error as? PSQLError else { return error }
        if let info = psql.serverInfo {
            let message = info[.message] ?? "error"
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return StoreError.unavailable(location: url.redacted, reason: "\(doing): \(message)\(state)")
        }
        var reason = "\(doing): \(psql.code)"
        if let underlying = psql.underlying { reason += " (\(underlyingDescription(underlying)))" }
        return StoreError.unavailable(location: url.redacted, reason: reason)
    }

    /// Socket errors name the address and errno (no credentials): "connection refused" is what an operator needs.
    private static func underlyingDescription(_ error: any Error) -> String {
        if let psql = error as? PSQLError { return "\(psql.code)" }
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
