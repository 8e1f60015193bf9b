import Foundation
import GRDB

extension DesiredStateStore {
    /// Every object's status, by uid (objects without a written status are absent), in one read.
    public func statuses() throws -> [String: ObjectStatus] {
        try pool.read { db in
            var result: [String: ObjectStatus] = [:]
            for record in try StatusRecord.fetchAll(db) { result[record.objectUID] = Self.decode(record) }
            return result
        }
    }

    /// Writes the given statuses in one transaction, skipping objects that no longer exist.
    /// Returns the uids written.
    @discardableResult
    public func writeStatuses(_ statuses: [(uid: String, status: ObjectStatus)], fence: LeaseFence? = nil) throws -> Set<String> {
        guard !statuses.isEmpty else { return [] }
        return try fencedWrite(fence, "status") { db in
            let existing = Set(try String.fetchAll(db, sql: "SELECT uid FROM object"))
            var written = Set<String>()
            for (uid, status) in statuses where existing.contains(uid) {
                try Self.encode(status, uid: uid).upsert(db)
                written.insert(uid)
            }
            return written
        }
    }
}
