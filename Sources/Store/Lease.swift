import Foundation
import GRDB

/// A named lease in the store: one holder at a time (`cse run`, or `cse apply` when no service runs), renewed before
/// it expires; an expired lease may be taken by anyone (a holder that crashed stops renewing). Each time the lease is
/// taken (not when it is renewed) it gets a new, larger fencing token (`LeaseFence`).
public struct Lease: Hashable, Sendable {
    public var name: String
    public var holder: String
    public var expiresAt: Date
    public var acquiredAt: Date
    /// The fencing token: grows by one each time the lease is taken, never repeats.
    public var token: Int64
}

/// The outcome of trying to take a lease.
public enum LeaseGrant: Hashable, Sendable {
    /// Taken (a new token) or renewed (the same token) by the caller.
    case acquired(Lease)
    /// Someone else holds it.
    case heldBy(Lease)
}

/// A write the store refused because the lease it was made under is no longer the writer's: another process took
/// the lease (a larger token), or it expired. `locally` is true when the writer's own clock saw the lease run out
/// before asking anything (a vCD write is checked that way).
public struct FencedWriteRefused: Error, Hashable, Sendable, CustomStringConvertible {
    public var lease: String
    public var holder: String
    public var token: Int64
    /// What was refused (`status`, `event`, `confirm deletion`, `vCD: powerOn`, ...).
    public var write: String
    /// Who holds the lease now (nil: nobody, it expired).
    public var current: Lease?
    public var locally: Bool

    public var description: String {
        let now = current.map { "it is held by \($0.holder) with token \($0.token)" } ?? "it expired"
        return "\(write) refused: \(holder) wrote under token \(token) of lease '\(lease)', but \(now)"
    }
}

/// A refused write, as the store recorded it.
public struct RefusedWrite: Hashable, Sendable {
    public var lease: String
    public var holder: String
    public var token: Int64
    public var write: String
    public var currentHolder: String?
    public var currentToken: Int64?
    public var at: Date
}

struct LeaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "lease"
    var name: String
    var holder: String
    var expiresAt: Date
    var acquiredAt: Date
    var token: Int64

    var lease: Lease { Lease(name: name, holder: holder, expiresAt: expiresAt, acquiredAt: acquiredAt, token: token) }
}

struct RefusedWriteRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "refusedWrite"
    var id: Int64?
    var lease: String
    var holder: String
    var token: Int64
    var write: String
    var currentHolder: String?
    var currentToken: Int64?
    var at: Date
}

extension DesiredStateStore {
    public static let reconcilerLease = "reconciler"

    /// Takes the lease for `holder` for `duration` (a new token), renews it when `holder` holds it already (the same
    /// token), or says who holds it.
    public func takeLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String, duration: TimeInterval) throws -> LeaseGrant {
        try pool.write { db in
            let now = self.now
            let current = try LeaseRecord.fetchOne(db, key: name)
            if var current, current.expiresAt > now {
                guard current.holder == holder else { return .heldBy(current.lease) }
                current.expiresAt = now.addingTimeInterval(duration)
                try current.update(db)
                return .acquired(current.lease)
            }
            let taken = LeaseRecord(name: name, holder: holder, expiresAt: now.addingTimeInterval(duration), acquiredAt: now,
                                    token: (current?.token ?? 0) + 1)
            try taken.upsert(db)
            return .acquired(taken.lease)
        }
    }

    /// Takes or renews the lease for `holder` for `duration`; returns nil when taken, else the lease someone else holds.
    public func acquireLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String, duration: TimeInterval) throws -> Lease? {
        if case .heldBy(let other) = try takeLease(name, holder: holder, duration: duration) { return other }
        return nil
    }

    /// Extends the lease the fence was taken with; refused (`FencedWriteRefused`) once its token is not current or it expired.
    public func renewLease(_ fence: LeaseFence, duration: TimeInterval) throws {
        try fencedWrite(fence, "renew lease") { db in try self.setExpiry(of: fence, to: self.now.addingTimeInterval(duration), db) }
    }

    /// Gives up the lease the fence was taken with; refused (and recorded) when its token is no longer current.
    public func releaseLease(_ fence: LeaseFence) throws {
        try fencedWrite(fence, "release lease") { db in try self.setExpiry(of: fence, to: self.now.addingTimeInterval(-1), db) }
    }

    private func setExpiry(of fence: LeaseFence, to expiry: Date, _ db: Database) throws {
        guard var record = try LeaseRecord.fetchOne(db, key: fence.lease) else { return }
        record.expiresAt = expiry
        try record.update(db)
    }

    /// Gives the lease up (only when `holder` holds it). The row stays, expired, so that tokens never repeat.
    public func releaseLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String) throws {
        try pool.write { db in
            guard var record = try LeaseRecord.fetchOne(db, key: name), record.holder == holder, record.expiresAt > self.now else { return }
            // A second in the past: expired for any reader, whatever the rounding of dates read back.
            record.expiresAt = self.now.addingTimeInterval(-1)
            try record.update(db)
        }
    }

    /// The lease as it stands (nil when nobody holds it or it expired).
    public func lease(_ name: String = DesiredStateStore.reconcilerLease) throws -> Lease? {
        try pool.read { db in
            guard let record = try LeaseRecord.fetchOne(db, key: name), record.expiresAt > self.now else { return nil }
            return record.lease
        }
    }

    /// Writes the store refused for a stale token, oldest first.
    public func refusedWrites() throws -> [RefusedWrite] {
        try pool.read { db in
            try RefusedWriteRecord.order(Column("id")).fetchAll(db).map {
                RefusedWrite(lease: $0.lease, holder: $0.holder, token: $0.token, write: $0.write, currentHolder: $0.currentHolder,
                             currentToken: $0.currentToken, at: $0.at)
            }
        }
    }

    /// A write made under `fence` (nil: unfenced, as tenants' and `cse apply`'s desired-state writes are): in the same
    /// transaction, the lease must still carry the fence's token and not have expired, else nothing is written, the
    /// refusal is recorded (`refusedWrites`), the fence counts as lost, and `FencedWriteRefused` is thrown.
    func fencedWrite<T>(_ fence: LeaseFence?, _ write: String, _ body: (Database) throws -> T) throws -> T {
        guard let fence else { return try pool.write(body) }
        do {
            return try pool.write { db in
                let now = self.now
                let current = try LeaseRecord.fetchOne(db, key: fence.lease)
                guard let current, current.token == fence.token, current.holder == fence.holder, current.expiresAt > now else {
                    throw FencedWriteRefused(lease: fence.lease, holder: fence.holder, token: fence.token, write: write,
                                             current: current.flatMap { $0.expiresAt > now ? $0.lease : nil }, locally: false)
                }
                return try body(db)
            }
        } catch let refused as FencedWriteRefused {
            fence.lost(refused)
            try? pool.write { db in
                try RefusedWriteRecord(id: nil, lease: refused.lease, holder: refused.holder, token: refused.token, write: refused.write,
                                       currentHolder: refused.current?.holder, currentToken: refused.current?.token, at: self.now).insert(db)
            }
            throw refused
        }
    }
}
