import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Spec

/// A few connections to one PostgreSQL database, lent to one transaction at a time.
///
/// Bridging (the store's API is synchronous and is called from threads and from async code): a call runs on its
/// caller's thread and waits (`EventLoopFuture.wait()`) for SwiftNIO's own event-loop threads
/// (`MultiThreadedEventLoopGroup.singleton`), which do all the network I/O. Nothing waited on needs Swift
/// concurrency's cooperative pool, so a caller on a cooperative thread blocks only itself, never the work it waits
/// for. A caller waiting for a free connection waits for another caller's transaction, which needs no pool either.
final class PostgresConnectionPool: @unchecked Sendable {
    let url: PostgresURL
    let logger: Logger
    private let maximum: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false
    private var nextID = 0

    private let tls: PostgresConnection.Configuration.TLS

    /// Throws when the URL's TLS settings cannot be used (an unreadable sslrootcert).
    init(url: PostgresURL, maximum: Int = 8) throws {
        self.url = url
        self.maximum = maximum
        var logger = Logger(label: "cse.store.postgres")
        // postgres-nio's own messages stay out of cse's logs; failures reach callers as `StoreError`s.
        logger.logLevel = .critical
        self.logger = logger
        tls = try PostgresTLS.configuration(for: url)
    }

    var configuration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                             database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        // Index scans over sequential ones: a sequential scan in a SERIALIZABLE transaction locks the whole table's
        // predicate, so concurrent writers of different objects would conflict and retry (PostgreSQL's manual,
        // "Serializable Isolation Level", on reducing serialization failures).
        // A client frozen inside a transaction (a stalled process, a SIGSTOP) would hold its row locks, the lease's
        // included, and stop every other replica; the server ends such a session after 5 s (cse's transactions
        // last milliseconds), so its locks go and its late COMMIT fails.
        // application_name names the schema too: pg_stat_activity tells which store a connection serves.
        var parameters = [("application_name", "cse" + (url.schema.map { " " + $0 } ?? "")), ("enable_seqscan", "off"),
                          ("idle_in_transaction_session_timeout", "5000")]
        if let schema = url.schema { parameters.append(("search_path", schema)) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }

    /// A new connection, outside the pool (the listener keeps its own).
    func connect() throws -> PostgresConnection {
        let id = condition.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id,
                                                  logger: logger).wait()
        } catch let error as PSQLError {
            throw PostgresErrors.storeError(error, url: url, doing: "cannot connect")
        } catch {
            throw StoreError.unavailable(location: url.redacted, reason: "cannot connect: \(type(of: error))")
        }
    }

    /// Lends a connection to `body`. A connection `body` leaves in doubt (`discard`) is closed instead of reused.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let result = try body(connection)
            checkIn(connection)
            return result
        } catch let error as ConnectionInDoubt {
            checkIn(connection, discard: true)
            throw error.underlying
        } catch {
            checkIn(connection, discard: connection.isClosed)
            throw error
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw StoreError.unavailable(location: url.redacted, reason: "the store was closed")
            }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    open -= 1
                    continue
                }
                condition.unlock()
                return connection
            }
            if open < maximum {
                open += 1
                condition.unlock()
                do {
                    return try connect()
                } catch {
                    condition.withLock {
                        open -= 1
                        condition.signal()
                    }
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func checkIn(_ connection: PostgresConnection, discard: Bool = false) {
        let keep = condition.withLock { () -> Bool in
            defer { condition.signal() }
            if discard || closed {
                open -= 1
                return false
            }
            idle.append(connection)
            return true
        }
        if !keep { Self.close(connection) }
    }

    func close() {
        let connections = condition.withLock { () -> [PostgresConnection] in
            closed = true
            defer { idle = [] }
            condition.broadcast()
            return idle
        }
        for connection in connections { Self.close(connection) }
    }

    deinit {
        close()
    }

    /// Closes and waits for the close (postgres-nio wants a connection closed before it is released), except on an
    /// event-loop thread, which must never wait.
    static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        if MultiThreadedEventLoopGroup.currentEventLoop == nil { _ = try? closing.wait() }
    }
}

/// Thrown inside `withConnection` when the connection's state is unknown (a failed ROLLBACK): it is not reused.
struct ConnectionInDoubt: Error {
    let underlying: any Error
}
