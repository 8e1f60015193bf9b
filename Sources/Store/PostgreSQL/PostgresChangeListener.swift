import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// LISTENs on the store's channel on a connection of its own and calls the handlers on every notification (from
/// NIO's event-loop thread). When the connection drops it connects again every second; meanwhile the change token,
/// still polled, finds what was missed.
final class PostgresChangeListener: Sendable {
    private struct State {
        var handlers: [@Sendable () -> Void] = []
        var connection: PostgresConnection?
        var started = false
        var stopped = false
    }

    private let pool: PostgresConnectionPool
    private let channel: String
    private let state = NIOLockedValueBox(State())

    init(pool: PostgresConnectionPool, channel: String) {
        self.pool = pool
        self.channel = channel
    }

    func add(_ handler: @escaping @Sendable () -> Void) {
        let start = state.withLockedValue { state -> Bool in
            state.handlers.append(handler)
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        if start { connect() }
    }

    func stop() {
        let connection = state.withLockedValue { state -> PostgresConnection? in
            state.stopped = true
            defer { state.connection = nil }
            return state.connection
        }
        if let connection { PostgresConnectionPool.close(connection) }
    }

    private func notifyAll() {
        for handler in state.withLockedValue({ $0.handlers }) { handler() }
    }

    /// Connects on a background thread (never on an event loop, whose thread must not wait).
    private func connect() {
        Thread.detachNewThread { [self] in
            while !state.withLockedValue({ $0.stopped }) {
                do {
                    let connection = try pool.connect()
                    connection.addListener(channel: channel) { [weak self] _, _ in self?.notifyAll() }
                    _ = try connection.query(PostgresQuery(unsafeSQL: "LISTEN \(PostgresSchema.quoted(channel))"), logger: pool.logger).wait()
                    let keep = state.withLockedValue { state -> Bool in
                        if state.stopped { return false }
                        state.connection = connection
                        return true
                    }
                    guard keep else {
                        PostgresConnectionPool.close(connection)
                        return
                    }
                    // Whatever changed while no one listened: one wake-up covers it.
                    notifyAll()
                    _ = try? connection.closeFuture.wait()
                    state.withLockedValue { $0.connection = nil }
                } catch {
                    // The server is unreachable for now; polling the change token still works.
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
