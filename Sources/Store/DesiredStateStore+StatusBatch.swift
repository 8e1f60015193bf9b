import Foundation

extension DesiredStateStore {
    /// Every object's status, by uid (objects without a written status are absent), in one read.
    public func statuses() throws -> [String: ObjectStatus] {
        try read { session in
            var result: [String: ObjectStatus] = [:]
            for record in try session.statuses() { result[record.objectUID] = Self.decode(record) }
            return result
        }
    }

    /// Writes the given statuses in one transaction, skipping objects that no longer exist.
    /// Returns the uids written.
    @discardableResult
    public func writeStatuses(_ statuses: [(uid: String, status: ObjectStatus)], fence: LeaseFence? = nil) throws -> Set<String> {
        guard !statuses.isEmpty else { return [] }
        return try fencedWrite(fence, "status") { session in
            let existing = try session.objectUIDs()
            let kept = statuses.filter { existing.contains($0.uid) }
            try session.upsert(kept.map { Self.encode($0.status, uid: $0.uid) })
            return Set(kept.map(\.uid))
        }
    }
}
