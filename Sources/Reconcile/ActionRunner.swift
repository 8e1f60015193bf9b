import Bootstrap
import Foundation
import Logging
import Observe
import Spec
import Store
import VCDClient

/// Carries out one planned action in vCD. Every step first looks for what an earlier, interrupted run
/// may have done (objects are found by their deterministic names), so repeating an action is safe.
public struct ActionRunner: Sendable {
    public let session: VCDSession
    public let store: DesiredStateStore
    public let scripts: any GuestScriptProvider
    public var taskTimeout: Duration
    public var pollInterval: Duration
    let logger: Logger

    public init(session: VCDSession, store: DesiredStateStore, scripts: any GuestScriptProvider,
                taskTimeout: Duration = .seconds(1800), pollInterval: Duration = .seconds(2), logger: Logger = Logger(label: "cse.executor")) {
        self.session = session
        self.store = store
        self.scripts = scripts
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
            if let task = try await session.deleteCatalogItem(href) { try await wait(task) }
            return "deleted catalog item \(item)"
        case .createClusterVApp(let creation):
            return try await createClusterVApp(creation)
        case .addVMs(let vAppHref, let cluster, let vms, let templateItem):
            return try await addVMs(vAppHref: vAppHref, clusterName: cluster, org: action.object.org, vms: vms, templateItem: templateItem)
        case .powerOnVM(let href):
            try await powerOnGuest(vmHref: href, object: action.object)
            return "powered on \(action.target)"
        case .setMetadata(let href, let entries):
            try await wait(session.writeMarks(href, entries.map { ($0.key, $0.value) }))
            return "recorded \(entries.map(\.key).joined(separator: ", ")) on \(action.target)"
        case .reconfigureVM(let href, let cpu, let memoryMB):
            try await session.resize(vmHref: href, cpu: cpu, memoryMB: memoryMB) { try await wait($0) }
            return "resized \(action.target) to \(cpu) CPU / \(memoryMB) MB"
        case .removeVMs(let vAppHref, let vmHrefs):
            return try await removeVMs(vAppHref: vAppHref, vmHrefs: vmHrefs, target: action.target)
        case .deleteVApp(let href):
            return try await deleteVApp(href, target: action.target)
        case .confirmDeleted(let uid):
            _ = try store.confirmDeleted(action.object, uid: uid)
            return "\(action.object) is gone from vCD"
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
        let org = try await session.org(named: site.org)
        let vdc = try await session.vdc(named: site.vdc, org: org)
        let marker = "cse build of template \(build.template.name) revision \(build.revision)"
        var vAppHref = try await findVApp(named: site.tempVApp, vdc: site.vdc, marker: marker)
        if vAppHref == nil {
            guard let network = session.networks(of: vdc).first(where: { $0.name == site.network }) else {
                throw ExecutionError.permanent("network '\(site.network)' not found in vdc \(site.vdc)")
            }
            let source = try await sourceTemplate(org: org, catalog: site.catalog, item: build.template.source.catalogItem)
            let (vApp, task) = try await session.instantiate(
                vdcHref: vdc["href"] ?? "", templateHref: source.template["href"] ?? "", templateVM: source.vm, name: site.tempVApp,
                network: network, ipAllocationMode: site.ipAllocationMode == .pool ? "POOL" : "DHCP",
                customizationScript: bootstrap.customizationScript, powerOn: bootstrap.extraConfig.isEmpty,
                // The marker lets a later run (after a failure before the marks are written) know the vApp as its own.
                description: marker)
            if let task { try await wait(task) }
            vAppHref = vApp["href"]
        }
        guard let href = vAppHref else { throw ExecutionError.permanent("vCD returned no vApp href") }
        if !bootstrap.extraConfig.isEmpty {
            // User data goes in before the first power-on (kept powered off by the instantiation above).
            let vApp = try await session.get(href)
            for vm in vApp.path("Children")?.all("Vm") ?? [] where vm["status"] != "4" {
                guard let vmHref = vm["href"] else { continue }
                try await wait(session.setExtraConfig(vmHref: vmHref, bootstrap.extraConfig))
            }
        }
        try await wait(session.writeMarks(href, [
            (MetadataKey.buildOf, build.template.name), (MetadataKey.specHash, build.specHash),
            (MetadataKey.templateItem, build.itemName), (MetadataKey.templateRevision, String(build.revision)),
        ]))
        if !bootstrap.extraConfig.isEmpty {
            let vApp = try await session.get(href)
            for vm in vApp.path("Children")?.all("Vm") ?? [] where vm["status"] != "4" {
                if let vmHref = vm["href"] { try await wait(session.powerOn(vmHref)) }
            }
        }
        return "instantiated build vApp \(site.tempVApp) for revision \(build.revision)"
    }

    private func capture(_ build: TemplateBuild, vAppHref: String) async throws -> String {
        let site = build.template.build
        let org = try await session.org(named: site.org)
        let catalog = try await session.catalog(named: site.catalog, org: org)
        var itemHref = session.catalogItems(of: catalog).first { $0.name == build.itemName }?.href
        if itemHref == nil {
            let vApp = try await session.get(vAppHref)
            if vApp["deployed"] == "true" || vApp["status"] == "4" { try await wait(session.undeploy(vAppHref)) }
            try await wait(session.capture(vAppHref: vAppHref, into: catalog, itemName: build.itemName,
                                           description: "Kubernetes template \(build.template.name) revision \(build.revision)"))
            let refreshed = try await session.catalog(named: site.catalog, org: org)
            itemHref = session.catalogItems(of: refreshed).first { $0.name == build.itemName }?.href
        }
        guard let itemHref else { throw ExecutionError.transient("captured item \(build.itemName) not listed in catalog \(site.catalog) yet") }
        try await wait(session.writeMarks(itemHref, [
            (MetadataKey.templateName, build.template.name), (MetadataKey.templateRevision, String(build.revision)),
            (MetadataKey.specHash, build.specHash),
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
        let orgTree = try await session.org(named: org)
        let catalogTree = try await session.catalog(named: catalog, org: orgTree)
        let others = Dictionary(files.filter { $0.name != descriptorFile.name }.map { ($0.name, $0.source) }, uniquingKeysWith: { first, _ in first })
        let logger = self.logger
        let itemHref = try await session.uploadOVF(catalog: catalogTree, itemName: item, description: "source OVA \(url)",
                                                   descriptor: descriptor, files: others, progress: { logger.info("\(org)/\(catalog)/\(item): \($0)") },
                                                   pollInterval: pollInterval, timeout: taskTimeout)
        try await wait(session.writeMarks(itemHref, [(MetadataKey.sourceSHA1, digest)]))
        return "uploaded \(item) (\(ova.size) bytes, SHA-1 verified) into \(org)/\(catalog)"
    }

    // MARK: clusters

    private func createClusterVApp(_ creation: ClusterCreation) async throws -> String {
        let spec = creation.spec
        let marker = "cse cluster \(creation.uid)"
        var href = try await findVApp(named: spec.name, vdc: spec.vdc, marker: marker)
        if href == nil {
            let org = try await session.org(named: spec.org)
            let vdc = try await session.vdc(named: spec.vdc, org: org)
            let networks = session.networks(of: vdc)
            let network = spec.network.map { name in networks.first { $0.name == name } } ?? networks.first
            guard let network else {
                throw ExecutionError.permanent(spec.network.map { "network '\($0)' not found in vdc \(spec.vdc)" } ?? "vdc \(spec.vdc) has no network")
            }
            let (vApp, task) = try await session.composeVApp(vdc: vdc, name: spec.name, description: marker, network: network)
            if let task { try await wait(task) }
            href = vApp["href"]
        }
        guard let href else { throw ExecutionError.permanent("vCD returned no vApp href") }
        try await wait(session.writeMarks(href, [
            (MetadataKey.clusterID, creation.uid), (MetadataKey.clusterName, spec.name), (MetadataKey.clusterOrg, spec.org),
            (MetadataKey.specHash, creation.specHash), (MetadataKey.generation, String(creation.generation)),
            (MetadataKey.templateItem, creation.templateItem),
        ]))
        return "created vApp \(spec.name)"
    }

    private func addVMs(vAppHref: String, clusterName: String, org: String, vms: [VMRequest], templateItem: String) async throws -> String {
        guard let stored = try store.object(ObjectKey(kind: .cluster, org: org, name: clusterName)), case .cluster(let spec) = stored.object else {
            throw ExecutionError.permanent("cluster \(org)/\(clusterName) is no longer desired")
        }
        var href = vAppHref
        if href.isEmpty {
            guard let found = try await findVApp(named: spec.name, vdc: spec.vdc, marker: "cse cluster \(stored.uid)") else {
                throw ExecutionError.transient("vApp \(spec.name) not created yet")
            }
            href = found
        }
        var vApp = try await session.get(href)
        let existing = Set((vApp.path("Children")?.all("Vm") ?? []).compactMap { $0["name"] })
        let network = vApp.path("NetworkConfigSection")?.first("NetworkConfig")?["networkName"] ?? spec.network ?? ""
        let toAdd = vms.filter { !existing.contains($0.name) }
        var bootstraps: [String: GuestBootstrap] = [:]
        if !toAdd.isEmpty {
            let templateVM = try await templateVMHref(item: templateItem)
            let templateSpec = try templateSpec(named: spec.template)
            // Nodes join with the master's current join information, read fresh for every addition (tokens expire).
            let join = toAdd.contains { $0.role == .node } ? try await joinInfo(vApp: vApp, cluster: spec.name) : nil
            let sourced = toAdd.map { vm in
                let bootstrap = scripts.clusterBootstrap(cluster: spec, template: templateSpec, role: vm.role == .master ? .master : .node,
                                                         vmName: vm.name, join: vm.role == .node ? join : nil)
                bootstraps[vm.name] = bootstrap
                return SourcedVM(name: vm.name, templateVMHref: templateVM, network: network, customizationScript: bootstrap.customizationScript)
            }
            try await wait(session.addVMs(to: vApp, sourced))
            vApp = try await session.get(href)
        }
        // Tag, size and start each requested VM; each step is skipped when already done.
        for request in vms {
            guard let vm = vApp.path("Children")?.all("Vm").first(where: { $0["name"] == request.name }), let vmHref = vm["href"] else {
                throw ExecutionError.transient("VM \(request.name) not in vApp \(spec.name) after recompose")
            }
            try await wait(session.writeMarks(vmHref, [(MetadataKey.nodeRole, request.role.rawValue), (MetadataKey.clusterID, stored.uid)]))
            let cpu = vm.path("VmSpecSection", "NumCpus").flatMap { Int($0.text) }
            let memory = vm.path("VmSpecSection", "MemoryResourceMb", "Configured").flatMap { Int($0.text) }
            if cpu != request.size.cpu || memory != request.size.memoryMB {
                try await session.resize(vmHref: vmHref, cpu: request.size.cpu, memoryMB: request.size.memoryMB) { try await wait($0) }
            }
            if vm["status"] != "4" {
                var bootstrap = bootstraps[request.name]
                if bootstrap == nil, let template = try templateSpec(named: spec.template), template.os.hasCloudInit {
                    // Added by an earlier, interrupted run: its user data is made (and set) again before the first boot.
                    let join = request.role == .node ? try await joinInfo(vApp: vApp, cluster: spec.name) : nil
                    bootstrap = scripts.clusterBootstrap(cluster: spec, template: template, role: request.role == .master ? .master : .node,
                                                         vmName: request.name, join: join)
                }
                try await startGuest(vmHref: vmHref, bootstrap: bootstrap)
            }
        }
        return "added \(vms.map(\.name).joined(separator: ", ")) to \(spec.name)"
    }

    private func removeVMs(vAppHref: String, vmHrefs: [String], target: String) async throws -> String {
        let vApp = try await session.get(vAppHref)
        let present = (vApp.path("Children")?.all("Vm") ?? []).filter { vmHrefs.contains($0["href"] ?? "") }
        for vm in present where vm["deployed"] == "true" || vm["status"] == "4" {
            try await wait(session.undeploy(vm["href"] ?? ""))
        }
        if !present.isEmpty { try await wait(session.removeVMs(from: vApp, vmHrefs: present.compactMap { $0["href"] })) }
        return "removed \(target)"
    }

    private func deleteVApp(_ href: String, target: String) async throws -> String {
        let vApp: XMLTree
        do {
            vApp = try await session.get(href)
        } catch let error as VCDError where error.isNotFound {
            return "\(target) was already gone"
        }
        if vApp["deployed"] == "true" || vApp["status"] == "4" { try await wait(session.undeploy(href)) }
        try await wait(session.delete(href))
        return "deleted \(target)"
    }

    // MARK: lookups

    /// A vApp of this name in the vdc: ours when its description carries `marker`, refused when someone else's.
    private func findVApp(named name: String, vdc: String, marker: String) async throws -> String? {
        let records = try await session.query("adminVApp", filter: "name==\(name);vdcName==\(vdc)", fields: ["name", "vdcName"])
        guard let record = records.first, let href = record.href else { return nil }
        let vApp = try await session.get(href)
        guard vApp.first("Description")?.text == marker else {
            throw ExecutionError.permanent("a vApp named \(name) that cse did not create exists in vdc \(vdc); cse leaves it alone")
        }
        return href
    }

    private func sourceTemplate(org: XMLTree, catalog name: String, item: String) async throws -> (template: XMLTree, vm: XMLTree) {
        let catalog = try await session.catalog(named: name, org: org)
        guard let ref = session.catalogItems(of: catalog).first(where: { $0.name == item }) else {
            throw ExecutionError.transient("catalog item \(item) not found in catalog \(name)")
        }
        let template = try await session.templateOfItem(ref.href)
        guard let vm = template.path("Children")?.all("Vm").first else { throw ExecutionError.permanent("template \(item) has no VM") }
        return (template, vm)
    }

    func templateSpec(named name: String) throws -> TemplateSpec? {
        guard let stored = try store.objects(kind: .template, org: nil, includeDeleting: true).first(where: { $0.key.name == name }),
              case .template(let spec) = stored.object else { return nil }
        return spec
    }

    func joinInfo(vApp: XMLTree, cluster: String) async throws -> JoinInfo {
        let masterName = Naming.masterVM(cluster: cluster)
        guard let master = vApp.path("Children")?.all("Vm").first(where: { $0["name"] == masterName }), let href = master["href"] else {
            throw ExecutionError.transient("master \(masterName) not found in vApp \(cluster)")
        }
        guard let join = GuestContract.joinInfo(VMDocument.extraConfig(of: try await session.get(href))) else {
            throw ExecutionError.transient("master \(masterName) has not published valid join information yet")
        }
        return join
    }

    private func templateVMHref(item: String) async throws -> String {
        let records = try await session.query("adminCatalogItem", filter: "name==\(item)", fields: ["name", "entity"])
        guard let entity = records.first?["entity"] else { throw ExecutionError.transient("template \(item) not found") }
        let template = try await session.get(entity)
        guard let vm = template.path("Children")?.all("Vm").first?["href"] else { throw ExecutionError.permanent("template \(item) has no VM") }
        return vm
    }

    func wait(_ task: VCDTask) async throws {
        try await session.wait(for: task, timeout: taskTimeout, pollInterval: pollInterval)
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
