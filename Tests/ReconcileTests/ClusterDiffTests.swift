import Observe
import Testing
@testable import Reconcile
import Spec

@Suite struct ClusterDiffTests {
    let key = ObjectKey(kind: .cluster, org: "org1", name: "c1")
    let ready = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])

    private func plan(_ cluster: DesiredState.Cluster = D.cluster(), vApp: ObservedVApp?, templates: [ObservedTemplate]? = nil) -> Plan {
        var snapshot = ready
        if let templates { snapshot.templates = templates }
        snapshot.clusters = vApp.map { [$0] } ?? []
        return D.plan(DesiredState(templates: [D.template()], clusters: [cluster]), snapshot)
    }

    @Test func createsVAppThenMasterThenNodes() {
        let plan = plan(vApp: nil)
        #expect(plan.lines == [
            "+ vApp c1",
            "+ VM c1-m1 [waits: vApp c1 created]",
            "+ VMs c1-n1, c1-n2 [waits: master c1-m1 ready]",
        ])
        #expect(plan.runnable.count == 1)
        guard case .createClusterVApp(let creation) = plan.actions[0].step else { Issue.record("wrong step"); return }
        #expect(creation.uid == "uid-c1" && creation.templateItem == "k8s-u-r1")
        #expect(Set(plan.actions.map(\.lane)).count == 1, "one vApp, one lane")
    }

    @Test func waitsForTheTemplate() {
        let plan = plan(vApp: nil, templates: [])
        let mine = plan.actions(for: key)
        #expect(mine.first?.target == "vApp c1" && mine.first?.waitsFor == ["template ubuntu ready"])
        #expect(mine.allSatisfy { !$0.isRunnable })
        #expect(plan.lines.contains("+ vApp csetmp-u"), "the template build is planned beside it")
    }

    @Test func singleNodeClusterHasNoNodes() {
        let creating = plan(D.cluster(nodes: 0), vApp: nil)
        #expect(creating.lines.count == 2)
        let converged = plan(D.cluster(nodes: 0), vApp: D.clusterVApp(vms: [D.vm("c1-m1")]))
        #expect(converged.isEmpty)
        #expect(converged.assessments[key]?.phase == .ready)
    }

    @Test func emptyVAppGetsItsMaster() {
        #expect(plan(vApp: D.clusterVApp(vms: [])).lines == ["+ VM c1-m1"])
    }

    @Test func nodesWaitForTheControlPlane() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1", guest: .running(phase: "kubeinit"))]))
        #expect(plan.lines == ["+ VMs c1-n1, c1-n2 [waits: master c1-m1 ready]"])
        #expect(plan.assessments[key]?.message == "master bootstrap: kubeinit")
    }

    @Test func readyMasterGetsNodes() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1")]))
        #expect(plan.lines == ["+ VMs c1-n1, c1-n2"])
        guard case .addVMs(let addition) = plan.actions[0].step else { Issue.record("wrong step"); return }
        #expect(addition.vms.map(\.role) == [.node, .node] && addition.templateItem == "k8s-u-r1")
        #expect(addition.vApp == .existing(href: "https://vcd/api/vApp/vapp-c1"))
        #expect(addition.template?.vAppTemplateHref == "https://vcd/api/vAppTemplate/vappTemplate-cse-r1")
        #expect(addition.clusterUID == "uid-c1" && addition.generation == 1 && addition.spec.name == "c1")
    }

    @Test func convergedClusterHasAnEmptyPlan() {
        let plan = plan(vApp: D.clusterVApp(vms: D.healthy()))
        #expect(plan.isEmpty)
        #expect(plan.assessments[key]?.phase == .ready)
        #expect(plan.assessments[key]?.message.contains("2 nodes joined") == true)
    }

    @Test func nodesStillJoiningAreNotReady() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1"), D.vm("c1-n2", guest: .running(phase: "join"))]))
        #expect(plan.isEmpty)
        #expect(plan.assessments[key]?.phase == .updating)
        #expect(plan.assessments[key]?.message == "1/2 nodes joined")
    }

    @Test func scaleUpAddsTheNextOrdinals() {
        #expect(plan(D.cluster(nodes: 4), vApp: D.clusterVApp(vms: D.healthy())).lines == ["+ VMs c1-n3, c1-n4"])
    }

    @Test func scaleDownRemovesTheNewestFirst() {
        let plan = plan(D.cluster(nodes: 1), vApp: D.clusterVApp(vms: D.healthy(nodes: 3)))
        #expect(plan.lines == ["- VMs c1-n3, c1-n2"])
        guard case .removeVMs(_, let hrefs) = plan.actions[0].step else { Issue.record("wrong step"); return }
        #expect(hrefs == ["https://vcd/api/vApp/vm-c1-n3", "https://vcd/api/vApp/vm-c1-n2"])
    }

    @Test func nodeDeletedOutsideCseIsRecreated() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n2")]))
        #expect(plan.lines == ["+ VM c1-n1"])
        #expect(plan.actions[0].reason == "missing node")
    }

    @Test func poweredOffVMIsPoweredOn() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1", power: .poweredOff), D.vm("c1-n2")]))
        #expect(plan.lines == ["~ VM c1-n1"])
        guard case .powerOnVM(let href) = plan.actions[0].step else { Issue.record("wrong step"); return }
        #expect(href.hasSuffix("vm-c1-n1"))
    }

    @Test func unwantedVMInACseVAppIsRemoved() {
        let plan = plan(vApp: D.clusterVApp(vms: D.healthy() + [D.vm("debug-box"), D.vm("c1-x9")]))
        #expect(plan.lines == ["- VMs debug-box, c1-x9"])
        #expect(plan.actions[0].reason == "not a VM of this cluster's spec")
    }

    @Test func vAppDeletedOutsideCseIsRecreated() {
        #expect(plan(vApp: nil).lines.first == "+ vApp c1")
    }

    @Test func busyVAppMakesEveryStepWait() {
        let plan = plan(D.cluster(nodes: 3), vApp: D.clusterVApp(vms: D.healthy(), busy: true))
        #expect(plan.lines == ["+ VM c1-n3 [waits: vApp c1 task finished]"])
    }

    @Test func resizedSpecReconfiguresVMs() {
        let plan = plan(D.cluster(nodes: 1, cpu: 4), vApp: D.clusterVApp(vms: D.healthy(nodes: 1)))
        #expect(plan.lines == ["~ VM c1-n1"])
        guard case .reconfigureVM(_, let cpu, let memory) = plan.actions[0].step else { Issue.record("wrong step"); return }
        #expect(cpu == 4 && memory == 2048)
        #expect(plan.actions[0].change == .update)
    }

    @Test func failedNodeIsReplacedAndTheFailureReported() {
        let plan = plan(vApp: D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1", guest: .failed(phase: "join", reason: "kubeadm join exited 1")), D.vm("c1-n2")]))
        #expect(plan.lines == ["- VM c1-n1"])
        #expect(plan.assessments[key]?.phase == .failed)
        #expect(plan.assessments[key]?.failure == "node c1-n1 failed in phase join: kubeadm join exited 1")
    }

    @Test func deletedSpecDeletesTheVAppThenConfirms() {
        let deleting = plan(D.cluster(deleting: true), vApp: D.clusterVApp(vms: D.healthy()))
        #expect(deleting.lines == ["- vApp c1"])
        let gone = plan(D.cluster(deleting: true), vApp: nil)
        #expect(gone.lines == ["- cluster c1"])
        #expect(gone.assessments[key]?.phase == .deleting)
    }

    @Test func aVAppNoSpecClaimsIsReportedUnclaimedNotDeleted() {
        let snapshot = Snapshot(templates: [D.readyTemplate()], clusters: [D.clusterVApp("old", uid: "uid-gone", vms: D.healthy())])
        let plan = D.plan(DesiredState(templates: [D.template()]), snapshot)
        #expect(plan.lines == [])
        #expect(plan.unowned.map(\.name) == ["old"])
        #expect(plan.unowned.first?.summary.hasPrefix("unclaimed: ") == true)
    }

    @Test func buildVAppsAndTemplatesNoSpecNamesAreReportedNotDeleted() {
        let snapshot = Snapshot(templates: [D.readyTemplate()], buildVApps: [D.buildVApp(vm: D.vm("build"))])
        let plan = D.plan(DesiredState(), snapshot)
        #expect(plan.lines == [])
        #expect(plan.unowned.map(\.name) == ["csetmp-u", "k8s-u-r1"])
    }

    @Test func planIsDeterministic() {
        let desired = DesiredState(templates: [D.template()], clusters: [D.cluster("b"), D.cluster("a"), D.cluster("c", nodes: 5)])
        let snapshot = Snapshot(templates: [D.readyTemplate()], clusters: [D.clusterVApp("c", vms: D.healthy())])
        let first = D.plan(desired, snapshot)
        let second = D.plan(DesiredState(templates: desired.templates, clusters: desired.clusters.reversed()), snapshot)
        #expect(first == second)
        #expect(first.actions.map(\.object.name).first == "a")
    }
}

@Suite struct PlanRendererTests {
    @Test func rendersTerraformStyle() {
        let desired = DesiredState(templates: [D.template()], clusters: [D.cluster(nodes: 1)])
        let snapshot = Snapshot(templates: [D.readyTemplate()], clusters: [D.clusterVApp(vms: [D.vm("c1-m1"), D.vm("c1-n1", power: .poweredOff), D.vm("c1-n2")])])
        let text = PlanRenderer.text(D.plan(desired, snapshot))
        #expect(text == """
            cluster/org1/c1:
              - VM c1-n2  (the cluster wants 1 node)
                  on: vApp https://vcd/api/vApp/vapp-c1; vms https://vcd/api/vApp/vm-c1-n2
              ~ VM c1-n1  (node VM is powered off)
                  on: vm https://vcd/api/vApp/vm-c1-n1

            Plan: 0 to add, 1 to change, 1 to destroy.

            """)
        #expect(PlanRenderer.text(Plan()) == "No changes. vCD matches the desired state.\n")
    }

    @Test func theSummaryCountsVMsNotActions() {
        // A new 3-node cluster: the vApp, its master and three nodes are five things to add (three actions).
        let plan = D.plan(DesiredState(templates: [D.template()], clusters: [D.cluster(nodes: 3)]), Snapshot(templates: [D.readyTemplate()]))
        #expect(plan.count(.create) == 3)
        #expect(PlanRenderer.summary(plan) == "Plan: 5 to add, 0 to change, 0 to destroy.")
    }
}
