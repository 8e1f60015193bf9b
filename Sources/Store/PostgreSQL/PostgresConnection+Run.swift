import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// A statement that got no answer in `PostgresConnection.statementTimeout`: the connection is given up.
struct StatementTimedOut: Error {}

/// The connection was already closed (by the server or the network) when a statement was to be sent.
struct ConnectionClosed: Error {}

extension PostgresConnection {
    /// Longest wait for one statement's answer. The store's statements take milliseconds; a connection the server
    /// ended can leave a statement unanswered, and a caller must not wait for ever.
    static let statementTimeout = TimeAmount.seconds(120)

    /// Runs `query` and waits for all its rows on the caller's thread (see `PostgresConnectionPool` on bridging).
    func run(_ query: PostgresQuery, logger: Logger) throws -> PostgresQueryResult {
        // A statement sent on a connection the server already closed may never be answered: refuse it here.
        guard !isClosed else { throw ConnectionClosed() }
        let promise = eventLoop.makePromise(of: PostgresQueryResult.self)
        let done = NIOLockedValueBox(false)
        let timeout = eventLoop.scheduleTask(in: Self.statementTimeout) {
            if done.withLockedValue({ let was = $0; $0 = true; return !was }) { promise.fail(StatementTimedOut()) }
        }
        self.query(query, logger: logger).whenComplete { result in
            timeout.cancel()
            if done.withLockedValue({ let was = $0; $0 = true; return !was }) { promise.completeWith(result) }
        }
        return try promise.futureResult.wait()
    }
}
