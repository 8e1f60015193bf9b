import Foundation
import GRDB

/// A named lease in the store: one holder at a time (`cse run`, or `cse apply` when no service runs), renewed before
/// it expires; an expired lease may be taken by anyone (a holder that crashed stops renewing).
public struct Lease: Hashable, Sendable {
    public var name: String
    public var holder: String
    public var expiresAt: Date
    public var acquiredAt: Date
}

struct LeaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "lease"
    var name: String
    var holder: String
    var expiresAt: Date
    var acquiredAt: Date
}

extension DesiredStateStore {
    public static let reconcilerLease = "reconciler"

    /// Takes or renews the lease for `holder` for `duration`; returns nil when taken, else the lease someone else holds.
    public func acquireLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String, duration: TimeInterval) throws -> Lease? {
        try pool.write { db in
            let now = self.now
            if let current = try LeaseRecord.fetchOne(db, key: name), current.holder != holder, current.expiresAt > now {
                return Lease(name: name, holder: current.holder, expiresAt: current.expiresAt, acquiredAt: current.acquiredAt)
            }
            let previous = try LeaseRecord.fetchOne(db, key: name)
            let acquiredAt = previous?.holder == holder ? previous?.acquiredAt ?? now : now
            try LeaseRecord(name: name, holder: holder, expiresAt: now.addingTimeInterval(duration), acquiredAt: acquiredAt).upsert(db)
            return nil
        }
    }

    /// Gives the lease up (only when `holder` holds it).
    public func releaseLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String) throws {
        try pool.write { db in
            _ = try LeaseRecord.filter(Column("name") == name && Column("holder") == holder).deleteAll(db)
        }
    }

    /// The lease as it stands (nil when nobody holds it or it expired).
    public func lease(_ name: String = DesiredStateStore.reconcilerLease) throws -> Lease? {
        try pool.read { db in
            guard let record = try LeaseRecord.fetchOne(db, key: name), record.expiresAt > self.now else { return nil }
            return Lease(name: name, holder: record.holder, expiresAt: record.expiresAt, acquiredAt: record.acquiredAt)
        }
    }
}
