import Foundation
import Observe
import Testing
@testable import Reconcile
import Spec

/// The plan only uses what belongs where the specs say: template revisions in the template's own build org and catalog,
/// and it never acts on what an observation could not read.
@Suite struct IsolationDiffTests {
    let key = ObjectKey(kind: .cluster, org: "org1", name: "c1")

    private func plan(templates: [ObservedTemplate], vApp: ObservedVApp?) -> Plan {
        var snapshot = Snapshot(templates: templates, sourceImages: [D.sourceImage])
        snapshot.clusters = vApp.map { [$0] } ?? []
        return D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster()]), snapshot)
    }

    @Test func aTenantsLookAlikeItemIsNeverTheImage() {
        // A tenant's catalog item in org1's own catalog, named like the template's item and even carrying look-alike metadata.
        let tenants = D.readyTemplate(org: "org1", catalog: "org1-catalog")
        let creating = plan(templates: [tenants], vApp: nil)
        #expect(creating.actions(for: key).allSatisfy { !$0.isRunnable }, "nothing runs on a foreign image")
        #expect(creating.actions(for: key).first?.waitsFor == ["template ubuntu ready"])
        for action in creating.actions(for: key) {
            switch action.step {
            case .createClusterVApp(let creation): #expect(creation.template == nil)
            case .addVMs(let addition): #expect(addition.template == nil && addition.vApp == .toBeCreated(org: "org1", vdc: "vdc1", name: "c1"))
            default: Issue.record("unexpected step \(action.step)")
            }
        }
        let growing = plan(templates: [tenants, D.readyTemplate()], vApp: D.clusterVApp(vms: [D.vm("c1-m1")]))
        guard case .addVMs(let addition)? = growing.actions(for: key).first?.step else { Issue.record("no addition"); return }
        #expect(addition.template?.org == "cse" && addition.template?.catalog == "cse")
        #expect(addition.template?.vAppTemplateHref == "https://vcd/api/vAppTemplate/vappTemplate-cse-r1")
    }

    @Test func theTemplateNeverDeletesAnotherOrgsItem() {
        var snapshot = Snapshot(templates: [D.readyTemplate(revision: 2), D.readyTemplate(org: "org1", catalog: "org1-catalog")],
                                sourceImages: [D.sourceImage])
        snapshot.clusters = []
        let plan = D.plan(DesiredState(templates: [D.template(generation: 2)]), snapshot)
        #expect(!plan.actions.contains { action in
            if case .deleteTemplateItem(let org, _, _, _) = action.step { return org != "cse" }
            return false
        })
    }

    @Test func anUnknownSizeIsNotResized() {
        let vms = [D.vm("c1-m1", cpu: nil), D.vm("c1-n1"), D.vm("c1-n2")]
        let plan = plan(templates: [D.readyTemplate()], vApp: D.clusterVApp(vms: vms))
        #expect(plan.isEmpty, "a VM whose CPU count vCD did not show is not resized: \(plan.lines)")
        #expect(plan.assessments[key]?.phase == .ready)
    }

    @Test func aReadyTemplateWithoutItsVAppTemplateIsNotUsed() {
        var revision = D.readyTemplate()
        revision.vAppTemplateHref = nil
        let plan = plan(templates: [revision], vApp: D.clusterVApp(vms: [D.vm("c1-m1")]))
        #expect(plan.actions(for: key).allSatisfy { !$0.isRunnable })
    }
}

@Suite struct ClusterVAppOwnershipTests {
    @Test func aVAppOfAnotherOrgCarryingTheClustersIDIsNotTheCluster() {
        var forged = D.clusterVApp(vms: D.healthy())
        forged.org = "org2"
        forged.vdc = "org2-vdc"
        forged.href = "https://vcd/api/vApp/vapp-forged"
        var snapshot = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])
        snapshot.clusters = [forged]
        let plan = D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster()]), snapshot)
        let key = ObjectKey(kind: .cluster, org: "org1", name: "c1")
        #expect(plan.actions(for: key).first?.target == "vApp c1", "the cluster gets its own vApp: \(plan.lines)")
        #expect(!plan.actions.contains { $0.step.handles.contains { $0.value.contains("vapp-forged") } }, "nothing acts on org2's vApp")
        // With its real vApp listed after the forged one, the real one is the cluster's.
        snapshot.clusters = [forged, D.clusterVApp(vms: D.healthy())]
        #expect(D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster()]), snapshot).assessments[key]?.phase == .ready)
    }
}

@Suite struct UnknownStateTests {
    @Test func aVMWhosePowerStateVCDDidNotReportIsNotPoweredOn() {
        let key = ObjectKey(kind: .cluster, org: "org1", name: "c1")
        var snapshot = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])
        snapshot.clusters = [D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1", power: .unknown), D.vm("c1-n2")])]
        let plan = D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster()]), snapshot)
        #expect(plan.isEmpty, "\(plan.lines)")
        #expect(plan.assessments[key]?.phase == .updating, "an unknown state is not ready either")
        snapshot.clusters = [D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1", power: .poweredOff), D.vm("c1-n2")])]
        #expect(D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster()]), snapshot).lines == ["~ VM c1-n1"])
    }
}
