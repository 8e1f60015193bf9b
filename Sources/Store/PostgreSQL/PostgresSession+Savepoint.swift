import PostgresNIO

extension PostgresSession {
    func savepoint(_ body: () throws -> Void) throws {
        _ = try connection.run("SAVEPOINT cse_piece", logger: logger)
        do {
            try body()
        } catch {
            if endsTransaction(error) { throw error }
            _ = try connection.run("ROLLBACK TO SAVEPOINT cse_piece", logger: logger)
            _ = try connection.run("RELEASE SAVEPOINT cse_piece", logger: logger)
            throw error
        }
        _ = try connection.run("RELEASE SAVEPOINT cse_piece", logger: logger)
    }

    /// A serialization failure, deadlock or unique-key race, or a lost connection: the engine retries the whole transaction.
    func endsTransaction(_ error: any Error) -> Bool {
        PostgresErrors.isConnectionLost(error) || (PostgresErrors.sqlState(error).map(PostgresErrors.retryable.contains) ?? false)
    }
}
