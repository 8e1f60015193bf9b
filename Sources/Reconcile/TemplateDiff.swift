import Observe
import Spec

/// Builds a template's current revision (upload, build vApp, guest customization, capture) and removes
/// what is no longer wanted: stale build vApps and revisions no cluster uses.
struct TemplateDiff {
    let template: DesiredState.Template
    let observed: Snapshot
    let usedItems: Set<String>

    private var spec: TemplateSpec { template.spec }
    private var key: ObjectKey { ObjectKey(kind: .template, org: "", name: spec.name) }
    private var build: TemplateBuild { TemplateBuild(template: spec, revision: template.generation, specHash: template.specHash) }
    /// Revisions in the template's own build org and catalog only: items elsewhere are never read or touched for it.
    private var revisions: [ObservedTemplate] {
        observed.templates.filter { $0.name == spec.name && $0.org == spec.build.org && $0.catalog == spec.build.catalog }
    }
    private var buildVApps: [ObservedVApp] { observed.buildVApps.filter { $0.owner == spec.name && $0.org == spec.build.org } }

    func add(to plan: inout Plan) {
        if template.isDeleting {
            addDeletion(to: &plan)
            return
        }
        let current = revisions.first { $0.specHash == template.specHash }
        if let current, current.isReady {
            plan.assessments[key] = Assessment(.ready, "revision \(current.revision) is \(current.org)/\(current.catalog)/\(current.itemName)")
            addCleanup(to: &plan, keeping: current)
            return
        }
        for stale in buildVApps where stale.specHash != template.specHash {
            plan.actions.append(action(.deleteVApp(href: stale.href), .destroy, "vApp \(stale.name)",
                                       "build vApp of an older spec", lane: Lane.vApp(href: stale.href)))
        }
        if let current {
            plan.assessments[key] = Assessment(.provisioning, "catalog item \(current.itemName) is importing")
            return
        }
        addBuild(to: &plan)
    }

    private func addBuild(to plan: inout Plan) {
        let image = observed.sourceImages.first {
            $0.org == spec.build.org && $0.catalog == spec.build.catalog && $0.itemName == spec.source.catalogItem
        }
        var imageWait: [String] = []
        if let image, let sha1 = image.sha1, let wanted = spec.source.sha1, sha1.lowercased() != wanted {
            plan.assessments[key] = Assessment(.failed, "source image mismatch",
                                               failure: "catalog item \(image.itemName) has sha1 \(sha1), the spec wants \(wanted)")
            return
        }
        // Not there, or there but not imported (an upload interrupted by a crash is resumed; one in progress waited for).
        if image == nil || image?.isReady == false, let url = spec.source.url, let sha1 = spec.source.sha1 {
            plan.actions.append(action(
                .uploadSourceImage(org: spec.build.org, catalog: spec.build.catalog, item: spec.source.catalogItem,
                                   url: url, sha1: sha1),
                .create, "catalog item \(spec.source.catalogItem)", "the source OVA is not in catalog \(spec.build.catalog)",
                lane: Lane.catalogItem(org: spec.build.org, catalog: spec.build.catalog, item: spec.source.catalogItem)))
            imageWait = ["source OVA \(spec.source.catalogItem) uploaded"]
        } else if image == nil {
            // No URL to fetch from: the administrator uploads the OVA into the catalog.
            plan.assessments[key] = Assessment(.failed, "source image missing",
                                               failure: "catalog item \(spec.source.catalogItem) is not in catalog \(spec.build.catalog) and the spec has no source.url")
            return
        }
        guard let vApp = buildVApps.first(where: { $0.specHash == template.specHash }) else {
            var build = build
            build.sourceItemHref = image?.isReady == true ? image?.href : nil
            plan.actions.append(action(.instantiateBuildVApp(build), .create, "vApp \(spec.build.tempVApp)",
                                       "revision \(build.revision) is not built", waitsFor: imageWait,
                                       lane: Lane.newVApp(org: spec.build.org, vdc: spec.build.vdc, name: spec.build.tempVApp)))
            plan.assessments[key] = Assessment(.provisioning, "building revision \(build.revision)")
            return
        }
        addBuildProgress(vApp, to: &plan)
    }

    /// The build vApp exists: power it on, wait for its guest, capture it, or start over when the guest failed.
    private func addBuildProgress(_ vApp: ObservedVApp, to plan: inout Plan) {
        let lane = Lane.vApp(href: vApp.href)
        guard !vApp.isBusy else {
            plan.assessments[key] = Assessment(.provisioning, "build vApp \(vApp.name): a vCD task is running")
            return
        }
        guard let vm = vApp.vms.first else {
            plan.actions.append(action(.deleteVApp(href: vApp.href), .destroy, "vApp \(vApp.name)", "build vApp has no VM", lane: lane))
            return
        }
        switch vm.guest {
        case .failed(let phase, let reason):
            plan.assessments[key] = Assessment(.failed, "customization failed", failure: "phase \(phase) failed: \(reason)")
            plan.actions.append(action(.deleteVApp(href: vApp.href), .destroy, "vApp \(vApp.name)",
                                       "guest customization failed in phase \(phase); building again", lane: lane))
        case .ready where !spec.build.capture:
            plan.assessments[key] = Assessment(.ready, "customized; vApp \(vApp.name) kept running for inspection (capture: false)")
        case .ready:
            plan.actions.append(action(.captureTemplate(build, buildVAppHref: vApp.href), .create,
                                       "catalog item \(build.itemName)", "revision \(build.revision) is customized", lane: lane))
            plan.assessments[key] = Assessment(.provisioning, "capturing revision \(build.revision)")
        case .notStarted, .running:
            if vm.powerState == .poweredOff {
                plan.actions.append(action(.powerOnVM(vmHref: vm.href), .update, "VM \(vm.name)", "build VM is powered off", lane: lane))
            }
            let phase: String
            if case .running(let current) = vm.guest { phase = "phase \(current)" } else { phase = "boot" }
            plan.assessments[key] = Assessment(.provisioning, "customizing revision \(build.revision): \(phase)")
        }
    }

    private func addCleanup(to plan: inout Plan, keeping current: ObservedTemplate) {
        for vApp in buildVApps where spec.build.cleanup || vApp.specHash != template.specHash {
            let reason = vApp.specHash == template.specHash ? "template captured (cleanup: true)" : "build vApp of an older spec"
            plan.actions.append(action(.deleteVApp(href: vApp.href), .destroy, "vApp \(vApp.name)", reason, lane: Lane.vApp(href: vApp.href)))
        }
        for old in revisions where old != current && !usedItems.contains(old.itemName) {
            plan.actions.append(deleteItem(old, reason: "revision \(old.revision) replaced by \(current.revision) and used by no cluster"))
        }
    }

    private func addDeletion(to plan: inout Plan) {
        var remaining = 0
        for vApp in buildVApps {
            remaining += 1
            plan.actions.append(action(.deleteVApp(href: vApp.href), .destroy, "vApp \(vApp.name)", "template spec deleted",
                                       lane: Lane.vApp(href: vApp.href)))
        }
        var inUse: [String] = []
        for revision in revisions {
            remaining += 1
            if usedItems.contains(revision.itemName) {
                inUse.append(revision.itemName)
            } else {
                plan.actions.append(deleteItem(revision, reason: "template spec deleted"))
            }
        }
        if remaining == 0 {
            plan.actions.append(action(.confirmDeleted(uid: template.uid), .destroy, "template \(spec.name)",
                                       "gone from vCD", lane: Lane.store(uid: template.uid)))
        }
        let message = inUse.isEmpty ? "deleting" : "deleting; \(inUse.joined(separator: ", ")) still used by clusters"
        plan.assessments[key] = Assessment(.deleting, message)
    }

    private func deleteItem(_ revision: ObservedTemplate, reason: String) -> PlannedAction {
        action(.deleteTemplateItem(org: revision.org, catalog: revision.catalog, item: revision.itemName, href: revision.href),
               .destroy, "catalog item \(revision.itemName)", reason,
               lane: Lane.catalogItem(org: revision.org, catalog: revision.catalog, item: revision.itemName))
    }

    private func action(_ step: Step, _ change: PlannedAction.Change, _ target: String, _ reason: String,
                        waitsFor: [String] = [], lane: String) -> PlannedAction {
        PlannedAction(step: step, object: key, change: change, target: target, reason: reason, waitsFor: waitsFor, lane: lane)
    }
}
