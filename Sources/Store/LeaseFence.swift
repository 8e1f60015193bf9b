import Foundation
import Synchronization

/// What a lease holder carries into every write it makes while holding the lease: the lease, the holder and the
/// fencing token it got. The store refuses a write made under a fence unless, in the same transaction, the lease still
/// has this token and has not expired (`DesiredStateStore.fencedWrite`). Writes the store cannot check (vCD's) are
/// checked against the holder's own clock: the lease counts as held until the last successful renewal's start plus
/// the lease's duration (`check`). Once lost, a fence stays lost: the holder stops and takes the lease anew.
public final class LeaseFence: Sendable {
    public let lease: String
    public let holder: String
    public let token: Int64
    private let state: Mutex<State>

    private struct State {
        var validUntil: ContinuousClock.Instant
        var lost: FencedWriteRefused?
        var listeners: [@Sendable (FencedWriteRefused) -> Void] = []
    }

    /// `validUntil`: when the lease runs out by the holder's clock (the instant before the store granted it, plus its duration).
    public init(lease: Lease, validUntil: ContinuousClock.Instant) {
        self.lease = lease.name
        self.holder = lease.holder
        self.token = lease.token
        self.state = Mutex(State(validUntil: validUntil))
    }

    /// A renewal that started at `start` succeeded.
    public func renewed(startedAt start: ContinuousClock.Instant, duration: TimeInterval) {
        state.withLock { $0.validUntil = max($0.validUntil, start + .milliseconds(Int(duration * 1000))) }
    }

    /// Why the lease is lost (nil while held).
    public var lostBecause: FencedWriteRefused? { state.withLock { $0.lost } }

    /// Held as far as this process knows: not refused, and not run out by its own clock.
    public var isHeld: Bool { state.withLock { $0.lost == nil && ContinuousClock.now < $0.validUntil } }

    /// Throws unless the lease is held as far as this process knows (checked before every vCD write).
    public func check(_ write: String) throws(FencedWriteRefused) {
        let refused: FencedWriteRefused? = state.withLock { state in
            if let lost = state.lost { return FencedWriteRefused(lease: lease, holder: holder, token: token, write: write, current: lost.current, locally: true) }
            guard ContinuousClock.now >= state.validUntil else { return nil }
            return FencedWriteRefused(lease: lease, holder: holder, token: token, write: write, current: nil, locally: true)
        }
        if let refused {
            lost(refused)
            throw refused
        }
    }

    /// The lease is lost: the first reason is kept, and listeners hear of it once.
    public func lost(_ reason: FencedWriteRefused) {
        let listeners: [@Sendable (FencedWriteRefused) -> Void] = state.withLock { state in
            guard state.lost == nil else { return [] }
            state.lost = reason
            defer { state.listeners = [] }
            return state.listeners
        }
        for listener in listeners { listener(reason) }
    }

    /// Runs `listener` once when the lease is lost (at once when it is already).
    public func onLost(_ listener: @escaping @Sendable (FencedWriteRefused) -> Void) {
        let already: FencedWriteRefused? = state.withLock { state in
            if let lost = state.lost { return lost }
            state.listeners.append(listener)
            return nil
        }
        if let already { listener(already) }
    }
}
