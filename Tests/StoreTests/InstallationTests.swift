import Foundation
import Testing
@testable import Spec
@testable import Store

/// The installation identity, adoption under an existing uid, and names that differ only in case.
@Suite struct InstallationTests {
    @Test func eachStoreHasItsOwnIdentityThatSurvivesReopening() throws {
        let (first, one) = try StoreFixtures.store()
        let (second, two) = try StoreFixtures.store()
        defer {
            try? FileManager.default.removeItem(at: one)
            try? FileManager.default.removeItem(at: two)
        }
        let id = try first.installationID()
        #expect(UUID(uuidString: id) != nil)
        #expect(try second.installationID() != id)
        #expect(try DesiredStateStore(path: first.path).installationID() == id)
    }

    @Test func adoptionKeepsTheUIDFoundInVCDAndRefusesATakenName() throws {
        let (store, directory) = try StoreFixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let adopted = try store.adopt(StoreFixtures.cluster("old"), uid: "uid-from-vcd", owner: .admin)
        #expect(adopted.uid == "uid-from-vcd" && adopted.generation == 1)
        #expect(throws: StoreError.alreadyExists(ObjectKey(kind: .cluster, org: "org1", name: "old"))) {
            try store.adopt(StoreFixtures.cluster("old"), uid: "another", owner: .admin)
        }
    }

    @Test func aNameThatDiffersOnlyInCaseIsTaken() throws {
        let (store, directory) = try StoreFixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.put(StoreFixtures.cluster("demo"), owner: .admin)
        #expect(throws: StoreError.nameTaken(ObjectKey(kind: .cluster, org: "org1", name: "Demo"), existing: "demo")) {
            try store.put(StoreFixtures.cluster("Demo"), owner: .admin)
        }
        // Another org may use it: names are unique per org.
        try store.put(StoreFixtures.cluster("Demo", org: "org2"), owner: .admin)
        #expect(try store.objects(kind: .cluster).count == 2)
    }

    @Test func unownedObjectsAreReplacedByEachPass() throws {
        let (store, directory) = try StoreFixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seen = UnownedEntry(kind: "cluster vApp", org: "org1", place: "org1-vdc", name: "x", owner: "uid-x", installation: "other",
                                reason: "another installation's identity", seenAt: Date(timeIntervalSince1970: 1_000))
        try store.recordUnowned([seen])
        #expect(try store.unowned() == [seen])
        try store.recordUnowned([])
        #expect(try store.unowned().isEmpty)
    }
}
