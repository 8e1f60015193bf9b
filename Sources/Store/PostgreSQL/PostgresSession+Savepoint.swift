import PostgresNIO

extension PostgresSession {
    func savepoint(_ body: () throws -> Void) throws {
        _ = try connection.query("SAVEPOINT cse_piece", logger: logger).wait()
        do {
            try body()
        } catch {
            if endsTransaction(error) { throw error }
            _ = try connection.query("ROLLBACK TO SAVEPOINT cse_piece", logger: logger).wait()
            _ = try connection.query("RELEASE SAVEPOINT cse_piece", logger: logger).wait()
            throw error
        }
        _ = try connection.query("RELEASE SAVEPOINT cse_piece", logger: logger).wait()
    }

    /// A serialization failure, deadlock or unique-key race: the engine retries the whole transaction.
    func endsTransaction(_ error: any Error) -> Bool {
        PostgresErrors.sqlState(error).map(PostgresErrors.retryable.contains) ?? false
    }
}
