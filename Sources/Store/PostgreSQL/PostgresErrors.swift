import Foundation
import PostgresNIO

/// PostgreSQL failures as the store reports them: the server's message and SQLSTATE, or what went wrong with the
/// connection, with the URL's password left out (postgres-nio's own descriptions are generic on purpose).
enum PostgresErrors {
    /// SQLSTATEs after which the whole transaction is run again: it lost a race with another writer.
    /// 40001 serialization_failure, 40P01 deadlock_detected, 23505 unique_violation (a concurrent insert of the same
    /// key; the retry reads the winner's row and answers as the rules say).
    static let retryable: Set<String> = ["40001", "40P01", "23505"]

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func storeError(_ error: any Error, url: PostgresURL, doing: String) -> any Error {
        // The store's own verdicts pass as they are (a rule's error, a write refused for a stale fencing token).
        if error is StoreError || error is FencedWriteRefused { return error }
        guard let psql = error as? PSQLError else {
            return StoreError.unavailable(location: url.redacted, reason: "\(doing): \(type(of: error))")
        }
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
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
