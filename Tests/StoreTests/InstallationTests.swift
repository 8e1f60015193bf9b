import Foundation
import Testing
@testable import Spec
@testable import Store

/// The installation identity, adoption under an existing uid, and names that differ only in case.
@Suite struct InstallationTests {
    @Test(arguments: TestEngine.available) func eachStoreHasItsOwnIdentityThatSurvivesReopening(engine: TestEngine) throws {
        let one = try StoreFixtures.store(engine)
        let two = try StoreFixtures.store(engine)
        defer {
            one.remove()
            two.remove()
        }
        let id = try one.store.installationID()
        #expect(UUID(uuidString: id) != nil)
        #expect(try two.store.installationID() != id)
        #expect(try one.another().installationID() == id)
    }

    @Test(arguments: TestEngine.available) func adoptionKeepsTheUIDFoundInVCDAndRefusesATakenName(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let adopted = try store.adopt(StoreFixtures.cluster("old"), uid: "uid-from-vcd", owner: .admin)
        #expect(adopted.uid == "uid-from-vcd" && adopted.generation == 1)
        #expect(throws: StoreError.alreadyExists(ObjectKey(kind: .cluster, org: "org1", name: "old"))) {
            try store.adopt(StoreFixtures.cluster("old"), uid: "another", owner: .admin)
        }
    }

    @Test(arguments: TestEngine.available) func aNameThatDiffersOnlyInCaseIsTaken(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        try store.put(StoreFixtures.cluster("demo"), owner: .admin)
        #expect(throws: StoreError.nameTaken(ObjectKey(kind: .cluster, org: "org1", name: "Demo"), existing: "demo")) {
            try store.put(StoreFixtures.cluster("Demo"), owner: .admin)
        }
        // Another org may use it: names are unique per org.
        try store.put(StoreFixtures.cluster("Demo", org: "org2"), owner: .admin)
        #expect(try store.objects(kind: .cluster).count == 2)
    }

    @Test(arguments: TestEngine.available) func unownedObjectsAreReplacedByEachPass(engine: TestEngine) throws {
        let fixture = try StoreFixtures.store(engine)
        defer { fixture.remove() }
        let store = fixture.store
        let seen = UnownedEntry(kind: "cluster vApp", org: "org1", place: "org1-vdc", name: "x", owner: "uid-x", installation: "other",
                                reason: "another installation's identity", seenAt: Date(timeIntervalSince1970: 1_000))
        try store.recordUnowned([seen])
        #expect(try store.unowned() == [seen])
        try store.recordUnowned([])
        #expect(try store.unowned().isEmpty)
    }
}
