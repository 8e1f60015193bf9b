import GRDB

extension SQLiteSession {
    func savepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }

    /// SQLite's write lock is held from a write transaction's start: no race can end it halfway.
    func endsTransaction(_ error: any Error) -> Bool { false }
}
