import Foundation
import Testing
@testable import Store

/// The lease's fencing token: a new, larger one each time the lease is taken; writes made under an old one are refused
/// in their own transaction, recorded, and leave nothing behind.
@Suite struct FencingStoreTests {
    @Test(arguments: TestEngine.available) func eachTakingOfTheLeaseGetsALargerTokenAndRenewalsKeepIt(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        guard case .acquired(let first) = try store.takeLease(holder: "a", duration: 60) else { Issue.record("a could not take a free lease"); return }
        guard case .acquired(let renewed) = try store.takeLease(holder: "a", duration: 60) else { Issue.record("a could not renew"); return }
        #expect(renewed.token == first.token, "a renewal keeps the token")
        guard case .heldBy(let other) = try store.takeLease(holder: "b", duration: 60) else { Issue.record("b took a held lease"); return }
        #expect(other.holder == "a" && other.token == first.token)
        try store.releaseLease(holder: "a")
        guard case .acquired(let second) = try store.takeLease(holder: "b", duration: 60) else { Issue.record("b could not take a released lease"); return }
        #expect(second.token == first.token + 1)
        try store.releaseLease(holder: "b")
        guard case .acquired(let third) = try store.takeLease(holder: "b", duration: 60) else { Issue.record("b could not take it back"); return }
        #expect(third.token == second.token + 1, "taking a released lease again is a new term, even by the same holder")
    }

    @Test(arguments: TestEngine.available) func writesUnderAStaleTokenAreRefusedRecordedAndLeaveNothing(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let (cluster, _) = try store.put(StoreFixtures.cluster(), owner: .admin)
        guard case .acquired(let lease) = try store.takeLease(holder: "old", duration: 60) else { Issue.record("no lease"); return }
        let old = LeaseFence(lease: lease, validUntil: .now + .seconds(60))
        var status = ObjectStatus()
        status.phase = .provisioning
        #expect(try store.writeStatuses([(cluster.uid, status)], fence: old) == [cluster.uid], "the holder writes")

        // The old holder stalls past its lease; another takes it.
        try store.releaseLease(holder: "old")
        guard case .acquired(let newLease) = try store.takeLease(holder: "new", duration: 60) else { Issue.record("no lease for new"); return }
        #expect(newLease.token > lease.token)
        status.phase = .failed
        #expect(throws: FencedWriteRefused.self) { try store.writeStatuses([(cluster.uid, status)], fence: old) }
        #expect(throws: FencedWriteRefused.self) { try store.recordEvent(for: cluster, reason: "Stale", message: "m", fence: old) }
        #expect(throws: FencedWriteRefused.self) { try store.confirmDeleted(cluster.key, uid: cluster.uid, fence: old) }
        #expect(throws: FencedWriteRefused.self) { try store.renewLease(old, duration: 60) }
        #expect(try store.status(of: cluster.uid).phase == .provisioning, "nothing of the stale writes stayed")
        #expect(try store.events(of: cluster.uid).isEmpty)
        #expect(try store.lease()?.holder == "new", "the stale renewal did not take the lease back")
        #expect(old.lostBecause?.current?.holder == "new")
        let refused: [RefusedWrite] = try store.refusedWrites()
        #expect(refused.map { $0.write } == ["status", "event Stale", "confirm deletion", "renew lease"])
        let staleToken = lease.token, currentToken = newLease.token
        #expect(refused.allSatisfy { $0.holder == "old" && $0.token == staleToken && $0.currentToken == currentToken })

        // The new holder's writes go through; an expired lease refuses even its own holder's.
        let current = LeaseFence(lease: newLease, validUntil: .now + .seconds(60))
        #expect(try store.writeStatuses([(cluster.uid, status)], fence: current) == [cluster.uid])
        try store.renewLease(current, duration: 120)
        #expect(try store.lease()?.expiresAt ?? .distantPast > Date().addingTimeInterval(100), "a renewal extends the lease")
        #expect(try store.lease()?.token == newLease.token)
        guard case .acquired(let short) = try store.takeLease(holder: "new", duration: -1) else { Issue.record("no renewal"); return }
        #expect(short.token == newLease.token)
        #expect(throws: FencedWriteRefused.self) { try store.recordEvent(for: cluster, reason: "Late", message: "m", fence: current) }
    }

    @Test func aFenceRunsOutByItsHoldersClockWithoutAskingTheStore() throws {
        let lease = Lease(name: "reconciler", holder: "h", expiresAt: Date(), acquiredAt: Date(), token: 7)
        let fence = LeaseFence(lease: lease, validUntil: .now + .seconds(60))
        #expect(fence.isHeld)
        try fence.check("vCD: power on")
        let expired = LeaseFence(lease: lease, validUntil: .now - .seconds(1))
        #expect(!expired.isHeld)
        #expect(throws: FencedWriteRefused.self) { try expired.check("vCD: power on") }
        #expect(expired.lostBecause?.locally == true)
    }
}
