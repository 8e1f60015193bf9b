import Observe
import Testing
@testable import Reconcile
import Spec

@Suite struct TemplateDiffTests {
    let key = ObjectKey(kind: .template, org: "", name: "ubuntu")

    @Test func fromNothingUploadsThenBuilds() {
        let plan = D.plan(DesiredState(templates: [D.template()]), Snapshot())
        #expect(plan.lines == ["+ catalog item u.ova", "+ vApp csetmp-u [waits: source OVA u.ova uploaded]"])
        guard case .instantiateBuildVApp(let build) = plan.actions[1].step else { Issue.record("wrong step"); return }
        #expect(build.itemName == "k8s-u-r1")
        #expect(plan.assessments[key]?.phase == .provisioning)
    }

    @Test func sourceImagePresentBuildsAtOnce() {
        let plan = D.plan(DesiredState(templates: [D.template()]), Snapshot(sourceImages: [D.sourceImage]))
        #expect(plan.lines == ["+ vApp csetmp-u"])
    }

    @Test func sourceImageWithAnotherChecksumFails() {
        var image = D.sourceImage
        image.sha1 = String(repeating: "b", count: 40)
        let plan = D.plan(DesiredState(templates: [D.template()]), Snapshot(sourceImages: [image]))
        #expect(plan.actions.isEmpty)
        #expect(plan.assessments[key]?.phase == .failed)
        #expect(plan.assessments[key]?.failure?.contains("has sha1 bbbb") == true)
    }

    @Test(arguments: [
        (ObservedVM.PowerState.poweredOff, GuestProgress.notStarted, false, ["~ VM build"], ReconcilePhase.provisioning),
        (.poweredOn, .running(phase: "packages"), false, [], .provisioning),
        (.poweredOn, .notStarted, true, [], .provisioning),
        (.poweredOn, .failed(phase: "packages", reason: "apt-get exited 100"), false, ["- vApp csetmp-u"], .failed),
        (.poweredOn, .ready, false, ["+ catalog item k8s-u-r1"], .provisioning),
    ])
    func buildVAppProgress(power: ObservedVM.PowerState, guest: GuestProgress, busy: Bool, expected: [String], phase: ReconcilePhase) {
        let snapshot = Snapshot(sourceImages: [D.sourceImage], buildVApps: [D.buildVApp(vm: D.vm("build", power: power, guest: guest), busy: busy)])
        let plan = D.plan(DesiredState(templates: [D.template()]), snapshot)
        #expect(plan.lines == expected)
        #expect(plan.assessments[key]?.phase.rawValue == phase.rawValue)
    }

    @Test func noCaptureKeepsTheBuildVAppRunning() {
        let snapshot = Snapshot(sourceImages: [D.sourceImage], buildVApps: [D.buildVApp(vm: D.vm("build"))])
        let plan = D.plan(DesiredState(templates: [D.template(capture: false)]), snapshot)
        #expect(plan.actions.isEmpty)
        #expect(plan.assessments[key]?.phase == .ready)
        #expect(plan.assessments[key]?.message.contains("kept running for inspection") == true)
    }

    @Test func capturedTemplateImportingWaits() {
        let snapshot = Snapshot(templates: [D.readyTemplate(ready: false)], sourceImages: [D.sourceImage],
                                buildVApps: [D.buildVApp(vm: D.vm("build", power: .poweredOff))])
        let plan = D.plan(DesiredState(templates: [D.template()]), snapshot)
        #expect(plan.actions.isEmpty)
        #expect(plan.assessments[key]?.message == "catalog item k8s-u-r1 is importing")
    }

    @Test func readyTemplateCleansUpItsBuildVAppUnlessToldNotTo() {
        let snapshot = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage], buildVApps: [D.buildVApp(vm: D.vm("build"))])
        #expect(D.plan(DesiredState(templates: [D.template()]), snapshot).lines == ["- vApp csetmp-u"])
        #expect(D.plan(DesiredState(templates: [D.template(cleanup: false)]), snapshot).lines == [])
        let clean = Snapshot(templates: [D.readyTemplate()], sourceImages: [D.sourceImage])
        let plan = D.plan(DesiredState(templates: [D.template()]), clean)
        #expect(plan.isEmpty && plan.assessments[key]?.phase == .ready)
    }

    @Test func changedSpecBuildsANewRevisionAndKeepsTheOldWhileUsed() {
        let inUse = Snapshot(templates: [D.readyTemplate(revision: 1, hash: "h-old")], sourceImages: [D.sourceImage],
                             clusters: [D.clusterVApp(uid: "uid-other", vms: D.healthy(), item: "k8s-u-r1")])
        let desired = DesiredState(templates: [D.template(generation: 2, hash: "h-new")])
        let building = D.plan(desired, inUse)
        #expect(building.lines.contains("+ vApp csetmp-u"))
        guard case .instantiateBuildVApp(let build) = building.actions.first(where: { $0.target == "vApp csetmp-u" })?.step else {
            Issue.record("no build"); return
        }
        #expect(build.revision == 2 && build.itemName == "k8s-u-r2")

        let bothReady = Snapshot(templates: [D.readyTemplate(revision: 1, hash: "h-old"), D.readyTemplate(revision: 2, hash: "h-new")],
                                 sourceImages: [D.sourceImage], clusters: inUse.clusters)
        #expect(!D.plan(desired, bothReady).lines.contains("- catalog item k8s-u-r1"), "revision 1 is still used by a cluster")
        var unused = bothReady
        unused.clusters = []
        #expect(D.plan(desired, unused).lines == ["- catalog item k8s-u-r1"])
    }

    @Test func staleBuildVAppOfAnOlderSpecIsRemoved() {
        let snapshot = Snapshot(sourceImages: [D.sourceImage], buildVApps: [D.buildVApp(hash: "h-old", vm: D.vm("build", guest: .running(phase: "x")))])
        let plan = D.plan(DesiredState(templates: [D.template()]), snapshot)
        #expect(plan.lines == ["- vApp csetmp-u", "+ vApp csetmp-u"])
    }

    @Test func deletedTemplateSpecRemovesWhatIsUnusedThenConfirms() {
        let desired = DesiredState(templates: [D.template(deleting: true)])
        let snapshot = Snapshot(templates: [D.readyTemplate(revision: 1), D.readyTemplate(revision: 2)],
                                buildVApps: [D.buildVApp(vm: D.vm("build"))],
                                clusters: [D.clusterVApp(uid: "uid-x", vms: D.healthy(), item: "k8s-u-r2")])
        let plan = D.plan(desired, snapshot)
        #expect(plan.lines.filter { $0.contains("csetmp-u") || $0.contains("k8s-u") } == ["- vApp csetmp-u", "- catalog item k8s-u-r1"])
        #expect(plan.assessments[key]?.message == "deleting; k8s-u-r2 still used by clusters")
        let gone = D.plan(desired, Snapshot())
        #expect(gone.lines == ["- template ubuntu"])
        guard case .confirmDeleted(let uid) = gone.actions[0].step else { Issue.record("no confirm"); return }
        #expect(uid == "t-uid")
    }
}

/// Phase names for parameterized tests (the Store's enum, by raw value).
enum ReconcilePhase: String, Sendable { case provisioning = "Provisioning", failed = "Failed", ready = "Ready" }
