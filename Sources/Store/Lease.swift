import Foundation

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

extension LeaseRecord {
    var lease: Lease { Lease(name: name, holder: holder, expiresAt: expiresAt, acquiredAt: acquiredAt, token: token) }
}

extension DesiredStateStore {
    public static let reconcilerLease = "reconciler"

    /// Takes the lease for `holder` for `duration` (a new token), renews it when `holder` holds it already (the same
    /// token), or says who holds it.
    public func takeLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String, duration: TimeInterval) throws -> LeaseGrant {
        let now = self.now
        return try write { session in
            let current = try session.lease(name)
            if var current, current.expiresAt > now {
                guard current.holder == holder else { return .heldBy(current.lease) }
                current.expiresAt = now.addingTimeInterval(duration)
                try session.upsert(current)
                return .acquired(current.lease)
            }
            let taken = LeaseRecord(name: name, holder: holder, expiresAt: now.addingTimeInterval(duration), acquiredAt: now,
                                    token: (current?.token ?? 0) + 1)
            try session.upsert(taken)
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
        let expiry = now.addingTimeInterval(duration)
        try fencedWrite(fence, "renew lease") { session in try Self.setExpiry(of: fence, to: expiry, session) }
    }

    /// Gives up the lease the fence was taken with; refused (and recorded) when its token is no longer current.
    public func releaseLease(_ fence: LeaseFence) throws {
        // A second in the past: expired for any reader, whatever the rounding of dates read back.
        let expiry = now.addingTimeInterval(-1)
        try fencedWrite(fence, "release lease") { session in try Self.setExpiry(of: fence, to: expiry, session) }
    }

    private static func setExpiry(of fence: LeaseFence, to expiry: Date, _ session: any StoreSession) throws {
        guard var record = try session.lease(fence.lease) else { return }
        record.expiresAt = expiry
        try session.upsert(record)
    }

    /// Gives the lease up (only when `holder` holds it). The row stays, expired, so that tokens never repeat.
    public func releaseLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String) throws {
        let now = self.now
        try write { session in
            guard var record = try session.lease(name), record.holder == holder, record.expiresAt > now else { return }
            record.expiresAt = now.addingTimeInterval(-1)
            try session.upsert(record)
        }
    }

    /// The lease as it stands (nil when nobody holds it or it expired).
    public func lease(_ name: String = DesiredStateStore.reconcilerLease) throws -> Lease? {
        let now = self.now
        return try read { session in
            guard let record = try session.lease(name), record.expiresAt > now else { return nil }
            return record.lease
        }
    }

    /// Writes the store refused for a stale token, oldest first.
    public func refusedWrites() throws -> [RefusedWrite] {
        try read { session in
            try session.refusedWrites().map {
                RefusedWrite(lease: $0.lease, holder: $0.holder, token: $0.token, write: $0.write, currentHolder: $0.currentHolder,
                             currentToken: $0.currentToken, at: $0.at)
            }
        }
    }

    /// A write made under `fence` (nil: unfenced, as tenants' and `cse apply`'s desired-state writes are): in the same
    /// transaction, the lease (its row locked by the read, on PostgreSQL) must still carry the fence's token and not
    /// have expired, else nothing is written, the refusal is recorded (`refusedWrites`), the fence counts as lost, and
    /// `FencedWriteRefused` is thrown.
    func fencedWrite<T>(_ fence: LeaseFence?, _ what: String, changesDesiredState: Bool = false,
                        _ body: (any StoreSession) throws -> T) throws -> T {
        guard let fence else { return try write(changesDesiredState: changesDesiredState, body) }
        let now = self.now
        do {
            return try write(changesDesiredState: changesDesiredState) { session in
                let current = try session.lease(fence.lease)
                guard let current, current.token == fence.token, current.holder == fence.holder, current.expiresAt > now else {
                    throw FencedWriteRefused(lease: fence.lease, holder: fence.holder, token: fence.token, write: what,
                                             current: current.flatMap { $0.expiresAt > now ? $0.lease : nil }, locally: false)
                }
                return try body(session)
            }
        } catch let refused as FencedWriteRefused {
            fence.lost(refused)
            try? write { session in
                try session.insert(RefusedWriteRecord(id: nil, lease: refused.lease, holder: refused.holder, token: refused.token,
                                                      write: refused.write, currentHolder: refused.current?.holder,
                                                      currentToken: refused.current?.token, at: now))
            }
            throw refused
        }
    }
}
