import Foundation
@testable import Observe
@testable import Reconcile
import Testing

/// What cluster vApps' SYSTEM marks claim is checked before the diff acts on it: a claimant outside its spec's org
/// and vdc, or a second claimant of one cluster id, is a conflict that is neither used, nor destroyed, nor replaced.
@Suite struct MarkValidationTests {
    private let expected = ["uid-c1": ClusterPlacement(org: "org1", vdc: "vdc1")]

    private func vApp(_ name: String, org: String = "org1", vdc: String = "vdc1", uid: String = "uid-c1") -> ObservedVApp {
        ObservedVApp(name: name, href: "https://vcd/api/vApp/vapp-\(name)", org: org, vdc: vdc, owner: uid, specHash: "c-hash",
                     templateItem: "k8s-u-r1", vms: D.healthy())
    }

    @Test func aSingleClaimantWhereItsSpecSaysIsBelieved() {
        let result = MarkValidator(expected: expected).validate([vApp("c1")], claimedOrgs: ["https://vcd/api/vApp/vapp-c1": "ORG1"])
        #expect(result.valid.map(\.name) == ["c1"])
        #expect(result.conflicted.isEmpty && result.findings.isEmpty)
    }

    @Test func secondClaimantsAndMisplacedOnesAreConflicts() {
        let two = MarkValidator(expected: expected).validate([vApp("c1"), vApp("copy")], claimedOrgs: [:])
        #expect(two.valid.isEmpty)
        #expect(two.conflicted == ["uid-c1"])
        #expect(two.findings.map(\.kind) == [.conflict, .conflict])
        let elsewhere = MarkValidator(expected: expected).validate([vApp("c1", org: "org2", vdc: "vdc2")], claimedOrgs: [:])
        #expect(elsewhere.valid.isEmpty && elsewhere.findings.map(\.kind) == [.misplaced])
        // Its own org mark disagreeing with where vCD has it is enough, for an orphan too.
        let orphan = MarkValidator(expected: [:]).validate([vApp("o1", uid: "uid-gone")], claimedOrgs: ["https://vcd/api/vApp/vapp-o1": "org2"])
        #expect(orphan.valid.isEmpty && orphan.conflicted == ["uid-gone"])
    }

    @Test func theDiffNeitherCreatesNorDestroysForAConflictedCluster() {
        let desired = DesiredState(templates: [D.template()], clusters: [D.cluster()])
        var observed = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])
        observed.conflictedClusterIDs = ["uid-c1", "uid-orphan"]
        observed.markFindings = [MarkFinding(kind: .conflict, href: "h", objectName: "c1", org: "org1", key: MetadataKey.clusterID,
                                             value: "uid-c1", clusterID: "uid-c1", message: "2 vApps claim cluster uid-c1")]
        let plan = D.plan(desired, observed)
        #expect(plan.actions.isEmpty, "\(plan.lines)")
        let assessment = plan.assessments[D.cluster().key]
        #expect(assessment?.phase == .failed)
        #expect(assessment?.failure == "2 vApps claim cluster uid-c1")
    }
}
