import Observe
import Spec

/// Brings one cluster's vApp to its spec: master first, nodes once the control plane is ready, the newest
/// nodes removed first on scale-down, drift repaired (missing VMs recreated, stopped ones started, unknown
/// ones removed), and the vApp deleted when the spec is.
struct ClusterDiff {
    let cluster: DesiredState.Cluster
    let desired: DesiredState
    let observed: Snapshot
    /// The cluster's vApp (found by its owner id), looked up once by the caller.
    let vApp: ObservedVApp?
    private let key: ObjectKey

    init(cluster: DesiredState.Cluster, desired: DesiredState, observed: Snapshot, vApp: ObservedVApp?, key: ObjectKey? = nil) {
        self.cluster = cluster
        self.desired = desired
        self.observed = observed
        self.vApp = vApp
        self.key = key ?? cluster.key
    }

    private var spec: ClusterSpec { cluster.spec }
    private var nodeCount: String { spec.nodes.count == 1 ? "1 node" : "\(spec.nodes.count) nodes" }

    func add(to plan: inout Plan) {
        // vApps whose marks failed validation are neither used, nor destroyed, nor replaced by a new one.
        if observed.conflictedClusterIDs.contains(cluster.uid) {
            let reasons = observed.markFindings.filter { $0.clusterID == cluster.uid && $0.kind != .tampered }.map(\.message)
            plan.assessments[key] = Assessment(.failed, "vApps' marks in conflict",
                                               failure: (reasons.isEmpty ? ["vApps' marks for this cluster are in conflict"] : reasons).joined(separator: "; "))
            return
        }
        if cluster.isDeleting {
            addDeletion(to: &plan)
            return
        }
        guard let template = desired.templates.first(where: { $0.spec.name == spec.template }), !template.isDeleting else {
            plan.assessments[key] = Assessment(.failed, "template missing", failure: "template '\(spec.template)' is not in desired state")
            return
        }
        guard let vApp else {
            addCreation(template: template, to: &plan)
            return
        }
        addConvergence(vApp, template: template, to: &plan)
    }

    private func sizes(_ template: DesiredState.Template) -> (master: VMResources, node: VMResources) {
        (spec.master.resolved(defaults: template.spec.master),
         SizeOverride(cpu: spec.nodes.cpu, memoryMB: spec.nodes.memoryMB).resolved(defaults: template.spec.node))
    }

    /// The template revision new VMs come from: the cluster's own (all its nodes alike), else the current one.
    /// Only revisions in the template's own build org and catalog count: a catalog item elsewhere (a tenant's,
    /// named alike or even carrying look-alike metadata) is never the image of a cluster.
    private func readyRevision(for template: DesiredState.Template, preferring item: String?) -> ObservedTemplate? {
        let site = template.spec.build
        let revisions = observed.templates.filter {
            $0.name == template.spec.name && $0.org == site.org && $0.catalog == site.catalog && $0.isReady && $0.vAppTemplateHref != nil
        }
        if let item, let own = revisions.first(where: { $0.itemName == item }) { return own }
        return revisions.first { $0.specHash == template.specHash }
    }

    private static func image(_ revision: ObservedTemplate?) -> TemplateImage? {
        guard let revision, let vAppTemplate = revision.vAppTemplateHref else { return nil }
        return TemplateImage(org: revision.org, catalog: revision.catalog, itemName: revision.itemName, itemHref: revision.href,
                             vAppTemplateHref: vAppTemplate)
    }

    private func addition(_ vApp: VAppHandle, template: DesiredState.Template, image: TemplateImage?, item: String,
                          _ vms: [VMRequest]) -> Step {
        .addVMs(VMAddition(vApp: vApp, clusterUID: cluster.uid, spec: spec, generation: cluster.generation, templateSpec: template.spec,
                           template: image, templateItem: item, vms: vms))
    }

    private func addCreation(template: DesiredState.Template, to plan: inout Plan) {
        let revision = readyRevision(for: template, preferring: nil)
        let image = Self.image(revision)
        let item = revision?.itemName ?? Naming.templateItem(template.spec.catalogItem, revision: template.generation)
        let creation = ClusterCreation(uid: cluster.uid, spec: spec, specHash: cluster.specHash, generation: cluster.generation,
                                       template: image, templateItem: item)
        let waits = image == nil ? ["template \(template.spec.name) ready"] : []
        let lane = Lane.newVApp(org: spec.org, vdc: spec.vdc, name: spec.name)
        let handle = VAppHandle.toBeCreated(org: spec.org, vdc: spec.vdc, name: spec.name)
        plan.actions.append(action(.createClusterVApp(creation), .create, "vApp \(spec.name)", "the cluster has no vApp",
                                   waitsFor: waits, lane: lane))
        let size = sizes(template)
        let master = VMRequest(name: Naming.masterVM(cluster: spec.name), role: .master, size: size.master)
        plan.actions.append(action(addition(handle, template: template, image: image, item: item, [master]),
                                   .create, "VM \(master.name)", "the cluster needs its master",
                                   waitsFor: waits + ["vApp \(spec.name) created"], lane: lane))
        if spec.nodes.count > 0 {
            let nodes = (1...spec.nodes.count).map { VMRequest(name: Naming.nodeVM(cluster: spec.name, ordinal: $0), role: .node, size: size.node) }
            plan.actions.append(action(addition(handle, template: template, image: image, item: item, nodes),
                                       .create, "VMs \(nodes.map(\.name).joined(separator: ", "))", "the cluster wants \(nodeCount)",
                                       waitsFor: waits + ["master \(master.name) ready"], lane: lane))
        }
        plan.assessments[key] = Assessment(.provisioning, image == nil ? "waiting for template \(template.spec.name)" : "creating vApp")
    }

    private func addConvergence(_ vApp: ObservedVApp, template: DesiredState.Template, to plan: inout Plan) {
        let first = plan.actions.count
        addConvergenceSteps(vApp, template: template, to: &plan)
        Self.yieldMarks(to: Lane.vApp(href: vApp.href), in: &plan.actions, from: first)
    }

    /// Guest-ready marks run on their VM's own lane, side by side, unless a change to the whole vApp (a recompose, a
    /// removal) can start now: vCD refuses it while any of its VMs has a task (BUSY_ENTITY), so the marks then queue
    /// behind it in the vApp's lane, after it (they are bookkeeping; the vApp change is on the cluster's way to Ready).
    static func yieldMarks(to lane: String, in actions: inout [PlannedAction], from first: Int) {
        let mine = Array(actions[first...])
        let isMark = { (action: PlannedAction) in action.lane.hasPrefix(Lane.vm(href: "")) }
        guard mine.contains(where: { !isMark($0) && $0.lane == lane && $0.isRunnable }) else { return }
        let marks = mine.filter(isMark).map { mark in
            var queued = mark
            queued.lane = lane
            return queued
        }
        actions.replaceSubrange(first..., with: mine.filter { !isMark($0) } + marks)
    }

    private func addConvergenceSteps(_ vApp: ObservedVApp, template: DesiredState.Template, to plan: inout Plan) {
        let lane = Lane.vApp(href: vApp.href)
        let size = sizes(template)
        var masterVM: ObservedVM?
        var nodes: [Int: ObservedVM] = [:]
        var unknown: [ObservedVM] = []
        for vm in vApp.vms {
            switch Naming.parseVM(vm.name, cluster: spec.name) {
            case (.master, _)?: masterVM = vm
            case (.node, let ordinal)?: nodes[ordinal] = vm
            case nil: unknown.append(vm)
            }
        }
        let busyNote = vApp.isBusy || vApp.vms.contains(where: \.isBusy) ? ["vApp \(vApp.name) task finished"] : []
        let revision = readyRevision(for: template, preferring: vApp.templateItem)
        let image = Self.image(revision)
        let item = revision?.itemName ?? vApp.templateItem
        let itemWait = image == nil ? ["template \(template.spec.name) ready"] : []
        let handle = VAppHandle.existing(href: vApp.href)
        var retiring: [BootstrapRetirement.VM] = []

        // Unwanted VMs: names cse does not give, and nodes beyond the count (newest = highest ordinal first).
        let extras = nodes.keys.filter { $0 > spec.nodes.count }.sorted(by: >).compactMap { nodes[$0] }
        let removals = unknown + extras
        if !removals.isEmpty {
            let names = removals.map(\.name).joined(separator: ", ")
            let reason = unknown.isEmpty ? "the cluster wants \(nodeCount)" : "not a VM of this cluster's spec"
            plan.actions.append(action(.removeVMs(vAppHref: vApp.href, vmHrefs: removals.map(\.href)), .destroy,
                                       "VM\(removals.count > 1 ? "s" : "") \(names)", reason, waitsFor: busyNote, lane: lane))
        }

        guard let master = masterVM else {
            let request = VMRequest(name: Naming.masterVM(cluster: spec.name), role: .master, size: size.master)
            plan.actions.append(action(addition(handle, template: template, image: image, item: item, [request]),
                                       .create, "VM \(request.name)", "the cluster has no master", waitsFor: busyNote + itemWait, lane: lane))
            plan.assessments[key] = Assessment(.provisioning, "creating master")
            return
        }
        if let unfinished = Self.unfinished(master, role: .master, size: size.master, template: template.spec) {
            plan.actions.append(action(addition(handle, template: template, image: image, item: item, [unfinished]), .update,
                                       "VM \(master.name)", "finish adding the master (user data, marks, power-on)", waitsFor: busyNote, lane: lane))
        } else {
            addVMUpkeep(master, role: "master", size: size.master, busy: busyNote, lane: lane, retiring: &retiring, to: &plan)
        }

        let missing = (0..<spec.nodes.count).map { $0 + 1 }.filter { nodes[$0] == nil }
        let masterReady = master.guest == .ready
        if !missing.isEmpty {
            let requests = missing.map { VMRequest(name: Naming.nodeVM(cluster: spec.name, ordinal: $0), role: .node, size: size.node) }
            let reason = nodes.isEmpty ? "the cluster wants \(nodeCount)" : "missing node\(missing.count > 1 ? "s" : "")"
            plan.actions.append(action(addition(handle, template: template, image: image, item: item, requests),
                                       .create, "VM\(requests.count > 1 ? "s" : "") \(requests.map(\.name).joined(separator: ", "))", reason,
                                       waitsFor: busyNote + itemWait + (masterReady ? [] : ["master \(master.name) ready"]), lane: lane))
        }
        for ordinal in nodes.keys.sorted() where ordinal <= spec.nodes.count {
            if let unfinished = Self.unfinished(nodes[ordinal]!, role: .node, size: size.node, template: template.spec) {
                plan.actions.append(action(addition(handle, template: template, image: image, item: item, [unfinished]), .update,
                                           "VM \(unfinished.name)", "finish adding the node (user data, marks, power-on)",
                                           waitsFor: busyNote + (masterReady ? [] : ["master \(master.name) ready"]), lane: lane))
            } else {
                addVMUpkeep(nodes[ordinal]!, role: "node", size: size.node, busy: busyNote, lane: lane, retiring: &retiring, to: &plan)
            }
        }
        addRetirement(retiring, master: master, nodes: nodes, settled: missing.isEmpty && removals.isEmpty,
                      busy: busyNote, lane: lane, to: &plan)
        plan.assessments[key] = assess(master: master, nodes: (1...max(spec.nodes.count, 1)).compactMap { spec.nodes.count == 0 ? nil : nodes[$0] },
                                       missing: missing.count, removals: removals.count, vApp: vApp)
    }

    /// A cloud-init VM that an interrupted addition left untagged and off may lack its user data: the addition is
    /// finished (user data, marks, power-on) instead of a plain power-on that would start a guest with nothing to run.
    private static func unfinished(_ vm: ObservedVM, role: Naming.Role, size: VMResources, template: TemplateSpec) -> VMRequest? {
        guard template.os.hasCloudInit, !vm.isTagged, vm.powerState == .poweredOff else { return nil }
        return VMRequest(name: vm.name, role: role, size: size)
    }

    /// A VM that should exist: tagged, started if stopped, resized if its size drifted, replaced if its guest failed,
    /// and marked ready once its guest reported done (so later observations need not read it).
    private func addVMUpkeep(_ vm: ObservedVM, role: String, size: VMResources, busy: [String], lane: String,
                             retiring: inout [BootstrapRetirement.VM], to plan: inout Plan) {
        var entries: [MetadataEntry] = []
        if !vm.isTagged {
            entries += [MetadataEntry(MetadataKey.nodeRole, role), MetadataEntry(MetadataKey.clusterID, cluster.uid)]
            if let installation = desired.installationID { entries.append(MetadataEntry(MetadataKey.installation, installation)) }
        }
        if vm.guest == .ready && !vm.isMarkedReady { entries.append(MetadataEntry(MetadataKey.guestReady, "true")) }
        let hasUserData = vm.bootstrapSecrets.hasUserData == true
        if vm.guest == .ready && (hasUserData || (role == "node" && !vm.isMarkedReady)) {
            // Its bootstrap ran: the user data (a node's held its join command) goes before the marks are written. A node
            // that just joined takes part even without user data (a customization script carried its join command): the
            // last one to join has the token revoked.
            retiring.append(BootstrapRetirement.VM(name: vm.name, href: vm.href, clearsUserData: hasUserData, marks: entries))
        } else if !entries.isEmpty {
            // Only the guest-ready mark: a task on the VM alone, so the marks of a cluster's VMs are written together.
            let markLane = vm.isTagged ? Lane.vm(href: vm.href) : lane
            plan.actions.append(action(.setMetadata(href: vm.href, entries: entries), .update, "VM \(vm.name)",
                                       "record \(entries.map(\.key).joined(separator: ", "))", waitsFor: busy, lane: markLane))
        }
        if case .failed(let phase, _) = vm.guest {
            plan.actions.append(action(.removeVMs(vAppHref: vApp?.href ?? "", vmHrefs: [vm.href]), .destroy, "VM \(vm.name)",
                                       "\(role) bootstrap failed in phase \(phase); replacing it", waitsFor: busy, lane: lane))
            return
        }
        // Unknown is not zero: a VM whose size vCD did not show is not resized on a guess.
        if let cpu = vm.cpu, let memoryMB = vm.memoryMB, cpu != size.cpu || memoryMB != size.memoryMB {
            plan.actions.append(action(.reconfigureVM(vmHref: vm.href, cpu: size.cpu, memoryMB: size.memoryMB), .update, "VM \(vm.name)",
                                       "size \(cpu) CPU / \(memoryMB) MB, the spec wants \(size.cpu) CPU / \(size.memoryMB) MB",
                                       waitsFor: busy, lane: lane))
        }
        // Powered on only when vCD says it is off: a state vCD did not report (or one in between) is not acted on.
        if vm.powerState == .poweredOff {
            plan.actions.append(action(.powerOnVM(vmHref: vm.href), .update, "VM \(vm.name)", "\(role) VM is powered off", waitsFor: busy, lane: lane))
        }
    }

    /// One step for the VMs whose bootstrap ended (user data cleared, then marks). Once every node of a settled cluster
    /// (none missing, none being removed) has joined, and a node is among them, the master's published join token, the
    /// newest any node was given, is revoked with every earlier one; never one already revoked.
    private func addRetirement(_ retiring: [BootstrapRetirement.VM], master: ObservedVM, nodes: [Int: ObservedVM], settled: Bool,
                               busy: [String], lane: String, to plan: inout Plan) {
        guard !retiring.isEmpty else { return }
        let wanted = nodes.filter { $0.key <= spec.nodes.count }.values
        let allJoined = settled && master.guest == .ready && wanted.allSatisfy { $0.guest == .ready }
        let nodeRetires = retiring.contains { $0.href != master.href }
        var revocation: JoinRevocation?
        if allJoined, nodeRetires, let published = master.bootstrapSecrets.publishedJoinTokenID,
           published != master.bootstrapSecrets.revokedJoinTokenID {
            revocation = JoinRevocation(masterHref: master.href, tokenID: published)
        }
        let names = retiring.map(\.name).joined(separator: ", ")
        let reason = "bootstrap done: " + (retiring.contains(where: \.clearsUserData) ? "clear user data" : "record ready")
            + (revocation.map { "; revoke join token \($0.tokenID)" } ?? "")
        plan.actions.append(action(.retireBootstrap(BootstrapRetirement(vms: retiring, revocation: revocation)), .update,
                                   "VM\(retiring.count > 1 ? "s" : "") \(names)", reason, waitsFor: busy, lane: lane))
    }

    private func assess(master: ObservedVM, nodes: [ObservedVM], missing: Int, removals: Int, vApp: ObservedVApp) -> Assessment {
        if case .failed(let phase, let reason) = master.guest {
            return Assessment(.failed, "master bootstrap failed", failure: "master \(master.name) failed in phase \(phase): \(reason)")
        }
        if let failed = nodes.first(where: { if case .failed = $0.guest { return true } else { return false } }),
           case .failed(let phase, let reason) = failed.guest {
            return Assessment(.failed, "node bootstrap failed", failure: "node \(failed.name) failed in phase \(phase): \(reason)")
        }
        if master.guest != .ready {
            if case .running(let phase) = master.guest { return Assessment(.provisioning, "master bootstrap: \(phase)") }
            return Assessment(.provisioning, "master booting")
        }
        let joined = nodes.filter { $0.guest == .ready && $0.powerState == .poweredOn }.count
        if missing > 0 || removals > 0 || joined < nodes.count || master.powerState != .poweredOn {
            return Assessment(.updating, "\(joined)/\(spec.nodes.count) nodes joined")
        }
        // Ready only once no finished guest keeps its bootstrap (a node's join command) in its user data.
        let retiring = ([master] + nodes).filter { $0.guest == .ready && $0.bootstrapSecrets.hasUserData == true }.count
        if retiring > 0 { return Assessment(.updating, "clearing the bootstrap of \(retiring) VM\(retiring == 1 ? "" : "s")") }
        return Assessment(.ready, "master \(master.ipAddress ?? "?"), \(spec.nodes.count) node\(spec.nodes.count == 1 ? "" : "s") joined")
    }

    private func addDeletion(to plan: inout Plan) {
        if let vApp {
            let waits = vApp.isBusy ? ["vApp \(vApp.name) task finished"] : []
            plan.actions.append(action(.deleteVApp(href: vApp.href), .destroy, "vApp \(vApp.name)", "cluster spec deleted",
                                       waitsFor: waits, lane: Lane.vApp(href: vApp.href)))
        } else {
            plan.actions.append(action(.confirmDeleted(uid: cluster.uid), .destroy, "cluster \(spec.name)", "gone from vCD",
                                       lane: Lane.store(uid: cluster.uid)))
        }
        plan.assessments[key] = Assessment(.deleting, vApp == nil ? "deleted" : "deleting vApp")
    }

    private func action(_ step: Step, _ change: PlannedAction.Change, _ target: String, _ reason: String,
                        waitsFor: [String] = [], lane: String) -> PlannedAction {
        PlannedAction(step: step, object: key, change: change, target: target, reason: reason, waitsFor: waitsFor, lane: lane)
    }
}
