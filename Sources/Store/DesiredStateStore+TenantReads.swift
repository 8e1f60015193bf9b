import Foundation
import GRDB
import Spec

/// The tenant path's read before a request that may be a repeat. On SQLite it runs on a cached prepared statement; on
/// other engines it uses the session's row operations. Same row as `loggedRequest`.
extension DesiredStateStore {
    /// `loggedRequest(_:)`, on a cached statement.
    public func loggedRequestCached(_ requestID: String) throws -> LoggedRequest? {
        try read { session in
            guard let db = (session as? SQLiteSession)?.db else {
                return try session.requestLog(requestID).map {
                    LoggedRequest(requestID: $0.requestID, tenantTaskID: $0.tenantTaskID, status: $0.status, reply: $0.reply)
                }
            }
            let statement = try db.cachedStatement(sql: "SELECT tenantTaskID, status, reply FROM requestLog WHERE requestID = ?")
            guard let row = try Row.fetchOne(statement, arguments: [requestID]) else { return nil }
            return LoggedRequest(requestID: requestID, tenantTaskID: row[0], status: row[1], reply: row[2])
        }
    }
}
