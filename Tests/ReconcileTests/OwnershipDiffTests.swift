import Testing
@testable import Observe
@testable import Reconcile
@testable import Spec

/// The diff plans only for what carries this installation's identity; everything else is reported.
@Suite struct OwnershipDiffTests {
    static let ours = "11111111-1111-1111-1111-111111111111"
    static let theirs = "22222222-2222-2222-2222-222222222222"

    static func marked(_ vApp: ObservedVApp, _ installation: String?) -> ObservedVApp {
        var copy = vApp
        copy.installation = installation
        return copy
    }

    static func markedItem(_ installation: String?) -> ObservedTemplate {
        var item = D.readyTemplate()
        item.installation = installation
        return item
    }

    @Test func anotherInstallationsVAppIsForeignEvenWhenItsClusterIDMatchesATombstone() {
        // Same uid as our deleting cluster (a copied store): the vApp still is not ours to delete.
        let desired = DesiredState(templates: [D.template()], clusters: [D.cluster(deleting: true)], installationID: Self.ours)
        let snapshot = Snapshot(templates: [Self.markedItem(Self.ours)],
                                clusters: [Self.marked(D.clusterVApp(vms: D.healthy()), Self.theirs)])
        let plan = D.plan(desired, snapshot)
        #expect(!plan.actions.contains { if case .deleteVApp = $0.step { return true } else { return false } })
        #expect(plan.unowned.map(\.summary) == ["foreign: installation \(Self.theirs)"])
    }

    @Test func ourOwnTombstonedClusterIsDeleted() {
        let desired = DesiredState(templates: [D.template()], clusters: [D.cluster(deleting: true)], installationID: Self.ours)
        let snapshot = Snapshot(templates: [Self.markedItem(Self.ours)], clusters: [Self.marked(D.clusterVApp(vms: D.healthy()), Self.ours)])
        #expect(D.plan(desired, snapshot).lines == ["- vApp c1"])
    }

    @Test func aVAppWithoutIdentityIsUnclaimedAndAnUnownedTemplateItemIsNotUsedOrDeleted() {
        let desired = DesiredState(templates: [D.template()], clusters: [], installationID: Self.ours)
        let snapshot = Snapshot(templates: [Self.markedItem(Self.theirs)], clusters: [D.clusterVApp("stray", vms: D.healthy())])
        let plan = D.plan(desired, snapshot)
        #expect(!plan.actions.contains { $0.change == .destroy })
        #expect(Set(plan.unowned.map(\.summary)) == ["unclaimed: it carries no installation identity", "foreign: installation \(Self.theirs)"])
    }

    @Test func theDeletionGuardHoldsMoreThanTheShareAndLetsItGoWhenAllowed() {
        let clusters = ["a", "b", "c", "d"].map { D.cluster($0, deleting: $0 != "d") }
        let desired = DesiredState(templates: [D.template()], clusters: clusters, installationID: Self.ours)
        let snapshot = Snapshot(templates: [Self.markedItem(Self.ours)],
                                clusters: ["a", "b", "c", "d"].map { Self.marked(D.clusterVApp($0, vms: D.healthy()), Self.ours) })
        let plan = D.plan(desired, snapshot)
        let held = DeletionGuard().check(plan, fleet: 4)
        #expect(held.heldDeletions.count == 3 && !held.lines.contains { $0.hasPrefix("- vApp") })
        #expect(DeletionGuard().explanation(held)?.contains("3 clusters would be deleted at once") == true)
        #expect(DeletionGuard(allowMassDelete: true).check(plan, fleet: 4).lines.filter { $0.hasPrefix("- vApp") }.count == 3)
        #expect(DeletionGuard(maxShare: 0.8).check(plan, fleet: 4).heldDeletions.isEmpty)
        // One deletion is never held, whatever the fleet.
        let single = D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster(deleting: true)], installationID: Self.ours),
                            Snapshot(templates: [Self.markedItem(Self.ours)], clusters: [Self.marked(D.clusterVApp(vms: D.healthy()), Self.ours)]))
        #expect(DeletionGuard().check(single, fleet: 1).heldDeletions.isEmpty)
    }
}
