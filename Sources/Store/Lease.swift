import Foundation

/// A named lease in the store: one holder at a time (`cse run`, or `cse apply` when no service runs), renewed before
/// it expires; an expired lease may be taken by anyone (a holder that crashed stops renewing).
public struct Lease: Hashable, Sendable {
    public var name: String
    public var holder: String
    public var expiresAt: Date
    public var acquiredAt: Date
}

extension DesiredStateStore {
    public static let reconcilerLease = "reconciler"

    /// Takes or renews the lease for `holder` for `duration`; returns nil when taken, else the lease someone else holds.
    public func acquireLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String, duration: TimeInterval) throws -> Lease? {
        let now = self.now
        return try write { session in
            let previous = try session.lease(name)
            if let current = previous, current.holder != holder, current.expiresAt > now {
                return Lease(name: name, holder: current.holder, expiresAt: current.expiresAt, acquiredAt: current.acquiredAt)
            }
            let acquiredAt = previous?.holder == holder ? previous?.acquiredAt ?? now : now
            try session.upsert(LeaseRecord(name: name, holder: holder, expiresAt: now.addingTimeInterval(duration), acquiredAt: acquiredAt))
            return nil
        }
    }

    /// Gives the lease up (only when `holder` holds it).
    public func releaseLease(_ name: String = DesiredStateStore.reconcilerLease, holder: String) throws {
        try write { try $0.deleteLease(name, holder: holder) }
    }

    /// The lease as it stands (nil when nobody holds it or it expired).
    public func lease(_ name: String = DesiredStateStore.reconcilerLease) throws -> Lease? {
        let now = self.now
        return try read { session in
            guard let record = try session.lease(name), record.expiresAt > now else { return nil }
            return Lease(name: name, holder: record.holder, expiresAt: record.expiresAt, acquiredAt: record.acquiredAt)
        }
    }
}
