import Foundation
import Testing
@testable import Store

@Suite struct LeaseStoreTests {
    @Test func oneHolderAtATimeUntilReleasedOrExpired() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try DesiredStateStore(path: path)
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
