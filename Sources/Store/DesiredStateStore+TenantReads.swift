import Foundation
import GRDB
import Spec

/// What a tenant create looks up before its write, read in one read transaction: the names of the templates it may
/// use and the object already under its key (a repeated create).
public struct CreateLookup: Sendable {
    public var templateNames: [String]
    public var existing: StoredObject?
}

/// The tenant path's reads. They repeat for every request, so on SQLite each runs on a cached prepared statement; on
/// other engines they use the session's row operations. Same rows and order as `loggedRequest`, `objectNames` and
/// `object(_:)`.
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

    /// The live templates' names (as `objectNames(kind: .template, includeDeleting: false)`) and the object under `key`.
    public func createLookup(_ key: ObjectKey) throws -> CreateLookup {
        try read { session in
            guard let db = (session as? SQLiteSession)?.db else {
                return CreateLookup(templateNames: try session.objects(kind: .template, org: nil, includeDeleting: false).map(\.name),
                                    existing: try session.object(key)?.stored())
            }
            let names = try db.cachedStatement(sql: """
                SELECT name FROM object WHERE kind = ? AND deletionRequestedAt IS NULL ORDER BY org, name
                """)
            let templateNames = try String.fetchAll(names, arguments: [ObjectKind.template.rawValue])
            let object = try db.cachedStatement(sql: "SELECT * FROM object WHERE kind = ? AND org = ? AND name = ?")
            let existing = try ObjectRecord.fetchOne(object, arguments: [key.kind.rawValue, key.org, key.name])
            return CreateLookup(templateNames: templateNames, existing: try existing?.stored())
        }
    }
}
