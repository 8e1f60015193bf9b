import Foundation
import Testing
@testable import Store

@Suite struct LeaseStoreTests {
    @Test(arguments: TestEngine.available) func oneHolderAtATimeUntilReleasedOrExpired(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        #expect(try store.acquireLease(holder: "a", duration: 60) == nil)
        #expect(try store.acquireLease(holder: "b", duration: 60)?.holder == "a", "b waits while a holds it")
        #expect(try store.acquireLease(holder: "a", duration: 60) == nil, "a renews")
        try store.releaseLease(holder: "b")
        #expect(try store.lease()?.holder == "a", "only the holder releases")
        try store.releaseLease(holder: "a")
        #expect(try store.lease() == nil)
        #expect(try store.acquireLease(holder: "b", duration: -1) == nil)
        #expect(try store.acquireLease(holder: "a", duration: 60) == nil, "an expired lease is free")
    }
}
