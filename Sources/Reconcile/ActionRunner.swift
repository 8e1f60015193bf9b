import Bootstrap
import Foundation
import GuestSecrets
import Logging
import Observe
import Spec
import Store
import VCDClient

/// Carries out one planned action in vCD. Every step first looks for what an earlier, interrupted run
/// may have done (by the hrefs the plan carries, or a deterministic name under the org and vdc it names),
/// so repeating an action is safe. It reads no store and finds nothing by name across orgs: what the step
/// carries is what it acts on. Store-side steps (`confirmDeleted`) are the reconciler's.
public struct ActionRunner: Sendable {
    /// Behind the lease's fence when a reconciler holding a lease runs it (`FencedOperations`).
    public var vcd: any VCDOperations
    public let scripts: any GuestScriptProvider
    /// The installation's keys: what masters publish is sealed to them (the join command nodes need).
    public let guestSecrets: InstallationKeys
    public var taskTimeout: Duration
    public var pollInterval: Duration
    /// The identity written on everything this runner creates (the store's; the reconciler sets it).
    public var installationID: String?
    let logger: Logger

    public init(vcd: any VCDOperations, scripts: any GuestScriptProvider, guestSecrets: InstallationKeys,
                taskTimeout: Duration = .seconds(1800), pollInterval: Duration = .seconds(2), logger: Logger = Logger(label: "cse.executor")) {
        self.vcd = vcd
        self.scripts = scripts
        self.guestSecrets = guestSecrets
        self.taskTimeout = taskTimeout
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs the action to its end; returns a line for the object's event log.
    public func run(_ action: PlannedAction) async throws -> String {
        switch action.step {
        case .uploadSourceImage(let org, let catalog, let item, let url, let sha1):
            return try await uploadSource(org: org, catalog: catalog, item: item, url: url, sha1: sha1)
        case .instantiateBuildVApp(let build):
            return try await instantiateBuild(build)
        case .captureTemplate(let build, let vAppHref):
            return try await capture(build, vAppHref: vAppHref)
        case .deleteTemplateItem(_, _, let item, let href):
            if let task = try await vcd.deleteCatalogItem(href) { try await wait(task) }
            return "deleted catalog item \(item)"
        case .createClusterVApp(let creation):
            return try await createClusterVApp(creation)
        case .addVMs(let addition):
            return try await addVMs(addition)
        case .powerOnVM(let href):
            try await wait(vcd.powerOn(href))
            return "powered on \(action.target)"
        case .setMetadata(let href, let entries):
            try await wait(vcd.writeMarks(href, entries.map { ($0.key, $0.value) }))
            return "recorded \(entries.map(\.key).joined(separator: ", ")) on \(action.target)"
        case .reconfigureVM(let href, let cpu, let memoryMB):
            try await vcd.resizeVM(vmHref: href, cpu: cpu, memoryMB: memoryMB, timeout: taskTimeout, pollInterval: pollInterval)
            return "resized \(action.target) to \(cpu) CPU / \(memoryMB) MB"
        case .retireBootstrap(let retirement):
            return try await retire(retirement)
        case .removeVMs(let vAppHref, let vmHrefs):
            return try await removeVMs(vAppHref: vAppHref, vmHrefs: vmHrefs, target: action.target)
        case .deleteVApp(let href):
            return try await deleteVApp(href, target: action.target)
        case .confirmDeleted:
            throw ExecutionError.permanent("\(action.target): a store-side step is not the vCD executor's")
        }
    }

    // MARK: templates

    private func instantiateBuild(_ build: TemplateBuild) async throws -> String {
        let site = build.template.build
        // Secrets first: a missing one stops the build before anything changes in vCD.
        let bootstrap: GuestBootstrap
        do {
            bootstrap = try scripts.templateBootstrap(for: build.template)
        } catch {
            throw ExecutionError.permanent("template \(build.template.name): rootPassword: \(error)")
        }
        let org = try await vcd.org(named: site.org)
        let vdc = try await vcd.vdc(named: site.vdc, org: org)
        let marker = "cse build of template \(build.template.name) revision \(build.revision)"
        var vAppHref = try await findVApp(named: site.tempVApp, vdc: vdc, marker: marker)
        if vAppHref == nil {
            guard let network = vcd.networks(of: vdc).first(where: { $0.name == site.network }) else {
                throw ExecutionError.permanent("network '\(site.network)' not found in vdc \(site.vdc)")
            }
            guard let sourceItem = build.sourceItemHref else {
                throw ExecutionError.transient("source OVA \(build.template.source.catalogItem) is not in catalog \(site.org)/\(site.catalog) yet")
            }
            let template = try await vcd.templateOfItem(sourceItem)
            guard let vm = template.path("Children")?.all("Vm").first else {
                throw ExecutionError.permanent("source OVA \(build.template.source.catalogItem) holds no VM")
            }
            let (vApp, task) = try await vcd.instantiate(
                vdcHref: vdc["href"] ?? "", templateHref: template["href"] ?? "", templateVM: vm, name: site.tempVApp,
                network: network, ipAllocationMode: site.ipAllocationMode == .pool ? "POOL" : "DHCP",
                customizationScript: bootstrap.customizationScript, powerOn: bootstrap.extraConfig.isEmpty,
                // The marker lets a later run (after a failure before the marks are written) know the vApp as its own.
                description: marker)
            if let task { try await wait(task) }
            vAppHref = vApp["href"]
        }
        guard let href = vAppHref else { throw ExecutionError.permanent("vCD returned no vApp href") }
        // User data before the marks: a build vApp the diff sees (marked) always has it, so its power-on is a plain one.
        let buildVMs = bootstrap.extraConfig.isEmpty ? [] : try await vcd.get(href).path("Children")?.all("Vm") ?? []
        for vm in buildVMs where vm["status"] != "4" {
            if let vmHref = vm["href"] { try await wait(vcd.setExtraConfig(vmHref: vmHref, bootstrap.extraConfig)) }
        }
        try await wait(vcd.writeMarks(href, [
            (MetadataKey.buildOf, build.template.name), (MetadataKey.specHash, build.specHash),
            (MetadataKey.templateItem, build.itemName), (MetadataKey.templateRevision, String(build.revision)), try ownershipMark(),
        ]))
        for vm in buildVMs where vm["status"] != "4" {
            if let vmHref = vm["href"] { try await wait(vcd.powerOn(vmHref)) }
        }
        return "instantiated build vApp \(site.tempVApp) for revision \(build.revision)"
    }

    private func capture(_ build: TemplateBuild, vAppHref: String) async throws -> String {
        let site = build.template.build
        let org = try await vcd.org(named: site.org)
        let catalog = try await vcd.catalog(named: site.catalog, org: org)
        var itemHref = vcd.catalogItems(of: catalog).first { $0.name == build.itemName }?.href
        if itemHref == nil {
            let vApp = try await vcd.get(vAppHref)
            if vApp["deployed"] == "true" || vApp["status"] == "4" { try await wait(vcd.undeploy(vAppHref)) }
            // The build's user data (the root password's hash, the whole build script) must not be captured: a capture
            // is a vSphere clone, which keeps the VM's .vmx configuration and so its extra config (vSphere API,
            // VirtualMachineCloneSpec: `config` only lists changes; vmw:ExtraConfig entries are .vmx settings), and every
            // VM made from the template would carry it.
            for vm in vApp.path("Children")?.all("Vm") ?? [] {
                guard let vmHref = vm["href"] else { continue }
                if CloudInitUserData.hasUserData(VMDocument.extraConfig(of: try await vcd.get(vmHref))) {
                    try await wait(vcd.setExtraConfig(vmHref: vmHref, CloudInitUserData.clearedExtraConfig))
                }
            }
            try await wait(vcd.capture(vAppHref: vAppHref, into: catalog, itemName: build.itemName,
                                           description: "Kubernetes template \(build.template.name) revision \(build.revision)"))
            let refreshed = try await vcd.catalog(named: site.catalog, org: org)
            itemHref = vcd.catalogItems(of: refreshed).first { $0.name == build.itemName }?.href
        }
        guard let itemHref else { throw ExecutionError.transient("captured item \(build.itemName) not listed in catalog \(site.catalog) yet") }
        try await refuseForeignItem(build.itemName, catalog: site.catalog)
        try await wait(vcd.writeMarks(itemHref, [
            (MetadataKey.templateName, build.template.name), (MetadataKey.templateRevision, String(build.revision)),
            (MetadataKey.specHash, build.specHash), try ownershipMark(),
        ]))
        return "captured revision \(build.revision) as \(site.org)/\(site.catalog)/\(build.itemName)"
    }

    /// Fetches the source OVA to disk, checks its SHA-1, and uploads it into the catalog piece by piece (resuming an
    /// interrupted upload); the OVA is never held in memory whole.
    private func uploadSource(org: String, catalog: String, item: String, url: String, sha1: String) async throws -> String {
        let ova = try await SourceOVA.fetch(url)
        defer { ova.discard() }
        let digest: String
        let files: [(name: String, source: OVFFileSource)]
        do {
            digest = try ova.sha1()
            guard digest == sha1.lowercased() else {
                throw ExecutionError.permanent("the OVA at \(url) has SHA-1 \(digest), the spec says \(sha1)")
            }
            files = try OVAArchive.files(at: ova.path)
        } catch let error as ExecutionError {
            throw error
        } catch {
            throw ExecutionError.permanent("\(url): \(error)")
        }
        guard let descriptorFile = files.first(where: { $0.name.hasSuffix(".ovf") }),
              let descriptor = try? descriptorFile.source.read(from: 0, length: Int(descriptorFile.source.size)) else {
            throw ExecutionError.permanent("the OVA at \(url) holds no .ovf descriptor")
        }
        let orgTree = try await vcd.org(named: org)
        let catalogTree = try await vcd.catalog(named: catalog, org: orgTree)
        let others = Dictionary(files.filter { $0.name != descriptorFile.name }.map { ($0.name, $0.source) }, uniquingKeysWith: { first, _ in first })
        let logger = self.logger
        let itemHref = try await vcd.uploadOVF(catalog: catalogTree, itemName: item, description: "source OVA \(url)",
                                               descriptor: descriptor, files: others, pieceSize: 8 << 20,
                                               progress: { logger.info("\(org)/\(catalog)/\(item): \($0)") },
                                               pollInterval: pollInterval, timeout: taskTimeout)
        try await wait(vcd.writeMarks(itemHref, [(MetadataKey.sourceSHA1, digest)]))
        return "uploaded \(item) (\(ova.size) bytes, SHA-1 verified) into \(org)/\(catalog)"
    }

    // MARK: clusters

    private func createClusterVApp(_ creation: ClusterCreation) async throws -> String {
        let spec = creation.spec
        let marker = "cse cluster \(creation.uid)"
        let org = try await vcd.org(named: spec.org)
        let vdc = try await vcd.vdc(named: spec.vdc, org: org)
        var href = try await findVApp(named: spec.name, vdc: vdc, marker: marker)
        if href == nil {
            let networks = vcd.networks(of: vdc)
            let network = spec.network.map { name in networks.first { $0.name == name } } ?? networks.first
            guard let network else {
                throw ExecutionError.permanent(spec.network.map { "network '\($0)' not found in vdc \(spec.vdc)" } ?? "vdc \(spec.vdc) has no network")
            }
            let (vApp, task) = try await vcd.composeVApp(vdc: vdc, name: spec.name, description: marker, network: network)
            if let task { try await wait(task) }
            href = vApp["href"]
        }
        guard let href else { throw ExecutionError.permanent("vCD returned no vApp href") }
        try await wait(vcd.writeMarks(href, [
            (MetadataKey.clusterID, creation.uid), (MetadataKey.clusterName, spec.name), (MetadataKey.clusterOrg, spec.org),
            (MetadataKey.specHash, creation.specHash), (MetadataKey.generation, String(creation.generation)),
            (MetadataKey.templateItem, creation.templateItem), try ownershipMark(),
        ]))
        return "created vApp \(spec.name)"
    }

    private func addVMs(_ addition: VMAddition) async throws -> String {
        let spec = addition.spec
        guard let href = addition.vApp.href else { throw ExecutionError.transient("vApp \(spec.name) not created yet") }
        var vApp = try await vcd.get(href)
        let existing = Set((vApp.path("Children")?.all("Vm") ?? []).compactMap { $0["name"] })
        let network = vApp.path("NetworkConfigSection")?.first("NetworkConfig")?["networkName"] ?? spec.network ?? ""
        let toAdd = addition.vms.filter { !existing.contains($0.name) }
        var bootstraps: [String: GuestBootstrap] = [:]
        if !toAdd.isEmpty {
            guard let image = addition.template else {
                throw ExecutionError.transient("no revision of template \(addition.templateSpec.name) is ready")
            }
            let templateVM = try await templateVMHref(image)
            // Nodes join with the master's current join information, read fresh for every addition (tokens expire).
            let join = toAdd.contains { $0.role == .node } ? try await joinInfo(vApp: vApp, cluster: spec.name) : nil
            let sourced = toAdd.map { vm in
                let bootstrap = scripts.clusterBootstrap(cluster: spec, template: addition.templateSpec, role: vm.role == .master ? .master : .node,
                                                         vmName: vm.name, join: vm.role == .node ? join : nil)
                bootstraps[vm.name] = bootstrap
                return SourcedVM(name: vm.name, templateVMHref: templateVM, network: network, customizationScript: bootstrap.customizationScript)
            }
            try await wait(vcd.addVMs(to: vApp, sourced))
            vApp = try await vcd.get(href)
        }
        // Tag, size and start each requested VM; each step is skipped when already done. The VMs are separate entities
        // (vCD locks the VM a task changes), so their chains run side by side: k nodes take the time of one.
        var chains: [(request: VMRequest, vm: XMLTree, href: String)] = []
        for request in addition.vms {
            guard let vm = vApp.path("Children")?.all("Vm").first(where: { $0["name"] == request.name }), let vmHref = vm["href"] else {
                throw ExecutionError.transient("VM \(request.name) not in vApp \(spec.name) after recompose")
            }
            chains.append((request, vm, vmHref))
        }
        let prepared = bootstraps
        let current = vApp
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chain in chains {
                group.addTask {
                    try await self.prepare(chain.vm, href: chain.href, request: chain.request, addition: addition, vApp: current,
                                           bootstrap: prepared[chain.request.name])
                }
            }
            try await group.waitForAll()
        }
        return "added \(addition.vms.map(\.name).joined(separator: ", ")) to \(spec.name)"
    }

    /// One new VM: its user data (cloud-init templates), its marks, its size, then power on.
    private func prepare(_ vm: XMLTree, href vmHref: String, request: VMRequest, addition: VMAddition, vApp: XMLTree,
                         bootstrap: GuestBootstrap?) async throws {
        let spec = addition.spec
        if vm["status"] != "4", addition.templateSpec.os.hasCloudInit {
            // User data before the marks: a tagged VM always has it (one added by an interrupted run gets it now).
            var bootstrap = bootstrap
            if bootstrap == nil {
                let join = request.role == .node ? try await joinInfo(vApp: vApp, cluster: spec.name) : nil
                bootstrap = scripts.clusterBootstrap(cluster: spec, template: addition.templateSpec,
                                                     role: request.role == .master ? .master : .node, vmName: request.name, join: join)
            }
            if let bootstrap { try await setUserData(vmHref: vmHref, bootstrap) }
        }
        try await wait(vcd.writeMarks(vmHref, [(MetadataKey.nodeRole, request.role.rawValue), (MetadataKey.clusterID, addition.clusterUID),
                                          try ownershipMark()]))
        let cpu = vm.path("VmSpecSection", "NumCpus").flatMap { Int($0.text) }
        let memory = vm.path("VmSpecSection", "MemoryResourceMb", "Configured").flatMap { Int($0.text) }
        if cpu != request.size.cpu || memory != request.size.memoryMB {
            try await vcd.resizeVM(vmHref: vmHref, cpu: request.size.cpu, memoryMB: request.size.memoryMB,
                                   timeout: taskTimeout, pollInterval: pollInterval)
        }
        if vm["status"] != "4" { try await wait(vcd.powerOn(vmHref)) }
    }

    private func removeVMs(vAppHref: String, vmHrefs: [String], target: String) async throws -> String {
        let vApp = try await vcd.get(vAppHref)
        let present = (vApp.path("Children")?.all("Vm") ?? []).filter { vmHrefs.contains($0["href"] ?? "") }
        for vm in present where vm["deployed"] == "true" || vm["status"] == "4" {
            try await wait(vcd.undeploy(vm["href"] ?? ""))
        }
        if !present.isEmpty { try await wait(vcd.removeVMs(from: vApp, vmHrefs: present.compactMap { $0["href"] })) }
        return "removed \(target)"
    }

    private func deleteVApp(_ href: String, target: String) async throws -> String {
        let vApp: XMLTree
        do {
            vApp = try await vcd.get(href)
        } catch let error as VCDError where error.isNotFound {
            return "\(target) was already gone"
        }
        if vApp["deployed"] == "true" || vApp["status"] == "4" { try await wait(vcd.undeploy(href)) }
        try await wait(vcd.delete(href))
        return "deleted \(target)"
    }

    // MARK: ownership

    /// The metadata entry that makes what cse creates this installation's.
    private func ownershipMark() throws -> (key: String, value: String) {
        guard let installationID else { throw ExecutionError.permanent("no installation identity to mark what cse creates with") }
        return (MetadataKey.installation, installationID)
    }

    /// A catalog item of the same name made by another installation is left alone (never re-tagged as ours).
    private func refuseForeignItem(_ item: String, catalog: String) async throws {
        let records = try await vcd.query("adminCatalogItem", filter: "name==\(item)",
                                          fields: ["name", "catalogName", Marks.field(MetadataKey.installation)], sortAsc: nil,
                                          pageSize: VCDSession.maxPageSize)
        let ours = try ownershipMark().value
        if let other = records.first(where: { $0["catalogName"] == catalog })?.metadata[MetadataKey.installation], other != ours {
            throw ExecutionError.permanent("catalog item \(item) in catalog \(catalog) belongs to cse installation \(other); cse leaves it alone")
        }
    }

    // MARK: lookups

    /// A vApp of this name in this vdc (the query is filtered by the vdc's href, never by name alone): ours when
    /// its description carries `marker`, refused when someone else's.
    private func findVApp(named name: String, vdc: XMLTree, marker: String) async throws -> String? {
        guard let vdcHref = vdc["href"] else { throw ExecutionError.permanent("vCD returned a vdc without an href") }
        let records = try await vcd.query("adminVApp", filter: "name==\(name);vdc==\(vdcHref)", fields: ["name", "vdc"], sortAsc: nil,
                                          pageSize: VCDSession.maxPageSize)
        guard let record = records.first(where: { $0["vdc"] == vdcHref }), let href = record.href else { return nil }
        let vApp = try await vcd.get(href)
        guard vApp.first("Description")?.text == marker else {
            throw ExecutionError.permanent("a vApp named \(name) that cse did not create exists in vdc \(vdc["name"] ?? ""); cse leaves it alone")
        }
        return href
    }

    private func joinInfo(vApp: XMLTree, cluster: String) async throws -> JoinInfo {
        let masterName = Naming.masterVM(cluster: cluster)
        guard let master = vApp.path("Children")?.all("Vm").first(where: { $0["name"] == masterName }), let href = master["href"] else {
            throw ExecutionError.transient("master \(masterName) not found in vApp \(cluster)")
        }
        let keys = guestSecrets
        guard let join = GuestContract.joinInfo(VMDocument.extraConfig(of: try await vcd.get(href)), open: { try keys.open($0) }) else {
            throw ExecutionError.transient("master \(masterName) has not published valid join information yet")
        }
        return join
    }

    /// The VM of the template revision the plan names, read through the vApp template's href (found in the template's
    /// own build org and catalog by the observation): never a catalog item found by name.
    private func templateVMHref(_ image: TemplateImage) async throws -> String {
        let template: XMLTree
        do {
            template = try await vcd.get(image.vAppTemplateHref)
        } catch let error as VCDError where error.isNotFound {
            throw ExecutionError.transient("template \(image.org)/\(image.catalog)/\(image.itemName) is gone; planning again")
        }
        guard let vm = template.path("Children")?.all("Vm").first?["href"] else {
            throw ExecutionError.permanent("template \(image.itemName) has no VM")
        }
        return vm
    }

    func wait(_ task: VCDTask) async throws {
        try await vcd.wait(for: task, timeout: taskTimeout, pollInterval: pollInterval)
    }
}

public enum ExecutionError: Error, CustomStringConvertible {
    /// Retrying later may work (something not there yet, vCD busy).
    case transient(String)
    /// Needs a change in the spec or in vCD; retried only after a long back-off.
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let message), .permanent(let message): return message
        }
    }
}
