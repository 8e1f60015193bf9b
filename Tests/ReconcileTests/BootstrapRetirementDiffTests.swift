import Observe
import Testing
@testable import Reconcile

/// Guests that finished lose their user data (a node's held its join command) before their ready mark; the join token
/// nodes were handed is revoked once every node joined, never while one still needs it, and never twice.
@Suite struct BootstrapRetirementDiffTests {
    private func vm(_ name: String, guest: GuestProgress = .ready, userData: Bool?, marked: Bool = false,
                    published: String? = nil, revoked: String? = nil) -> ObservedVM {
        var vm = D.vm(name, guest: guest)
        vm.isMarkedReady = marked
        vm.bootstrapSecrets = BootstrapSecrets(hasUserData: userData, publishedJoinTokenID: published, revokedJoinTokenID: revoked)
        return vm
    }

    private func plan(_ vms: [ObservedVM], nodes: Int = 2) -> Plan {
        var snapshot = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])
        snapshot.clusters = [D.clusterVApp(vms: vms)]
        return D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster(nodes: nodes)]), snapshot)
    }

    private func retirementOf(_ plan: Plan) -> BootstrapRetirement? {
        for action in plan.actions { if case .retireBootstrap(let retirement) = action.step { return retirement } }
        return nil
    }

    @Test func aNodeStillJoiningKeepsTheTokenValid() throws {
        let plan = plan([vm("c1-m1", userData: false, marked: true, published: "aaaaaa"), vm("c1-n1", userData: true),
                         vm("c1-n2", guest: .running(phase: "join"), userData: true)])
        let retirement = try #require(retirementOf(plan))
        #expect(retirement.vms.map(\.name) == ["c1-n1"])
        #expect(retirement.vms[0].marks.map(\.key) == [MetadataKey.guestReady], "marked ready only after its user data is gone")
        #expect(retirement.revocation == nil, "c1-n2 still needs the token")
        #expect(!plan.actions.contains { if case .setMetadata = $0.step { return true } else { return false } }, "no separate ready mark")
        #expect(plan.assessments[D.cluster().key]?.phase != .ready)
    }

    @Test func theLastNodeToJoinRevokesThePublishedToken() throws {
        let plan = plan([vm("c1-m1", userData: false, marked: true, published: "bbbbbb", revoked: "aaaaaa"),
                         vm("c1-n1", userData: nil, marked: true), vm("c1-n2", userData: true)])
        let retirement = try #require(retirementOf(plan))
        #expect(retirement.vms.map(\.name) == ["c1-n2"])
        #expect(retirement.revocation == JoinRevocation(masterHref: "https://vcd/api/vApp/vm-c1-m1", tokenID: "bbbbbb"))
        #expect(plan.lines.contains("~ VM c1-n2"))
        #expect(plan.actions.first { $0.target == "VM c1-n2" }?.reason.contains("revoke join token bbbbbb") == true)
    }

    @Test func aRevokedTokenIsNotRevokedAgainAndTheMastersOwnRetirementRevokesNothing() throws {
        let again = plan([vm("c1-m1", userData: false, marked: true, published: "bbbbbb", revoked: "bbbbbb"),
                          vm("c1-n1", userData: true), vm("c1-n2", userData: nil, marked: true)])
        #expect(try #require(retirementOf(again)).revocation == nil, "the master has not published a fresh token yet")
        let master = plan([vm("c1-m1", userData: true, published: "cccccc")], nodes: 0)
        let retirement = try #require(retirementOf(master))
        #expect(retirement.vms.map(\.name) == ["c1-m1"] && retirement.revocation == nil, "no node was handed a token")
    }

    /// On images without cloud-init a customization script carried the join command: nothing to clear, but the last
    /// node to join still has the token revoked, and its ready mark comes with that.
    @Test func aNodeWithoutUserDataStillEndsItsToken() throws {
        let plan = plan([vm("c1-m1", userData: false, marked: true, published: "eeeeee"),
                         vm("c1-n1", userData: false, marked: true), vm("c1-n2", userData: false)])
        let retirement = try #require(retirementOf(plan))
        #expect(retirement.vms.map(\.name) == ["c1-n2"] && retirement.vms[0].clearsUserData == false)
        #expect(retirement.vms[0].marks.map(\.key) == [MetadataKey.guestReady])
        #expect(retirement.revocation?.tokenID == "eeeeee")
        #expect(plan.actions.first { $0.target == "VM c1-n2" }?.reason == "bootstrap done: record ready; revoke join token eeeeee")
    }

    @Test func doneAndClearedIsQuiet() {
        let plan = plan([vm("c1-m1", userData: false, marked: true, published: "dddddd", revoked: "cccccc"),
                         vm("c1-n1", userData: nil, marked: true), vm("c1-n2", userData: nil, marked: true)])
        #expect(plan.actions.isEmpty, "\(plan.lines)")
        #expect(plan.assessments[D.cluster().key]?.phase == .ready)
    }
}
