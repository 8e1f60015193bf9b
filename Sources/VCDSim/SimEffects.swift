import Bootstrap
import Foundation

/// What a successful task does to the cloud.
extension Simulator {
    func apply(_ effect: SimEffect, task: SimTask, at time: Date) throws {
        switch effect {
        case .none:
            break
        case .resolveVApp(let id):
            state.vApps[id]?.isResolved = true
        case .addVMs(let vAppID, let vms, let powerOn):
            guard state.vApps[vAppID] != nil else { throw SimFault.notFound("the vApp is gone") }
            for pending in vms { try createVM(pending, in: vAppID) }
            state.vApps[vAppID]?.isResolved = true
            if powerOn {
                state.vApps[vAppID]?.deployed = true
                for vm in state.vmsOf(vApp: vAppID) { powerOnVM(vm.id, at: time) }
            }
        case .recompose(let vAppID, let add, let delete):
            guard state.vApps[vAppID] != nil else { throw SimFault.notFound("the vApp is gone") }
            for id in delete { removeVM(id) }
            for pending in add { try createVM(pending, in: vAppID) }
        case .power(let ids, let on, let undeploy, let vAppID):
            for id in ids {
                if on { powerOnVM(id, at: time) } else { powerOffVM(id, undeploy: undeploy) }
            }
            if let vAppID {
                // A powered-off vApp stays deployed (it keeps its undeploy link) until it is undeployed: the vCloud API
                // Programming Guide's "Undeploy, Power Off, and Delete the vApp"; pyvcloud 23.0.4's VApp.undeploy needs
                // the link after power_off.
                if on { state.vApps[vAppID]?.deployed = true } else if undeploy { state.vApps[vAppID]?.deployed = false }
            } else if let vm = ids.first.flatMap({ state.vms[$0] }) {
                // A VM started on its own deploys its vApp; the vApp undeploys when its last VM does.
                if on { state.vApps[vm.vApp]?.deployed = true }
                else if undeploy, !state.vmsOf(vApp: vm.vApp).contains(where: \.deployed) { state.vApps[vm.vApp]?.deployed = false }
            }
        case .deleteVApp(let id):
            for vm in state.vmsOf(vApp: id) { removeVM(vm.id) }
            state.vApps[id] = nil
            state.removeMetadata(of: id)
        case .metadata(let entity, let set, let remove):
            var entries = state.metadata[entity] ?? [:]
            for (key, value) in set { entries[key] = value }
            for key in remove { entries[key] = nil }
            state.metadata[entity] = entries.isEmpty ? nil : entries
        case .domainMetadata(let entity, let changes):
            state.apply(changes, to: entity)
        case .hardware(let id, let cpu, let memory, let extra):
            guard var vm = state.vms[id] else { throw SimFault.notFound("the VM is gone") }
            if let cpu { vm.cpu = cpu }
            if let memory { vm.memoryMB = memory }
            // An entry with an empty value removes the key (go-vcloud-director: "an item with an empty Value will be
            // deleted"; its DeleteExtraConfig sends the keys with empty values).
            for (key, value) in extra { vm.extraConfig[key] = value.isEmpty ? nil : value }
            state.vms[id] = vm
        case .capabilities(let id, let cpuHotAdd, let memoryHotAdd):
            guard var vm = state.vms[id] else { throw SimFault.notFound("the VM is gone") }
            if let cpuHotAdd { vm.cpuHotAddEnabled = cpuHotAdd }
            if let memoryHotAdd { vm.memoryHotAddEnabled = memoryHotAdd }
            state.vms[id] = vm
        case .capture(let vAppID, let templateID):
            guard let vApp = state.vApps[vAppID] else { throw SimFault.notFound("the vApp to capture is gone") }
            var captured: [SimTemplateVM] = []
            for vm in state.vmsOf(vApp: vApp.id) {
                captured.append(SimTemplateVM(id: state.newID(0x7e4), name: vm.name, cpu: vm.cpu, memoryMB: vm.memoryMB, diskMB: vm.diskMB,
                                              osType: vm.osType, isCustomized: vm.customizationDone || vm.isCustomizedImage,
                                              hasCloudInit: vm.hasCloudInit, extraConfig: Self.capturedExtraConfig(vm.extraConfig)))
            }
            state.templates[templateID]?.vms = captured
            state.templates[templateID]?.status = 8
        case .deleteCatalogItem(let id):
            if let item = state.catalogItems[id] {
                state.templates[item.template] = nil
                state.removeMetadata(of: item.template)
            }
            state.catalogItems[id] = nil
            state.removeMetadata(of: id)
        case .resolveTemplate(let id):
            state.templates[id]?.status = 8
        }
        dirty = true
    }

    private func createVM(_ pending: SimPendingVM, in vAppID: String) throws {
        guard let vApp = state.vApps[vAppID] else { throw SimFault.notFound("the vApp is gone") }
        guard let (template, source) = state.templateVM(pending.sourceVM) else { throw SimFault.badRequest("the source VM is gone") }
        if state.vmsOf(vApp: vAppID).contains(where: { $0.name == pending.name }) { return }
        let id = state.newID(0x5e)
        var ip: String?
        var networkName = pending.network
        if let name = networkName {
            guard let config = vApp.networks.first(where: { $0.name == name }) else {
                throw SimFault.badRequest("network \(name) is not a network of vApp \(vApp.name)")
            }
            if pending.ipMode == "POOL" {
                guard let address = state.allocateIP(network: config.parentNetwork, vm: id) else {
                    throw SimFault.badRequest("No IP addresses are available in the static pool of network \(name).")
                }
                ip = address
            }
        } else {
            networkName = nil
        }
        let mac = "00:50:56:" + (0..<3).map { _ in String(format: "%02x", random.next() & 0xff) }.joined(separator: ":")
        state.vms[id] = SimVM(id: id, name: pending.name, vApp: vAppID, org: vApp.org, vdc: vApp.vdc, cpu: source.cpu, memoryMB: source.memoryMB,
                              diskMB: source.diskMB, osType: source.osType, isCustomizedImage: source.isCustomized, status: 8, deployed: false,
                              network: networkName, ipMode: pending.ipMode, ipAddress: ip, mac: mac, computerName: pending.computerName,
                              customizationScript: pending.customizationScript, adminPassword: random.hex(12), storageProfile: pending.storageProfile,
                              hasCloudInit: source.hasCloudInit)
        state.vms[id]?.extraConfig = source.extraConfig ?? [:]
        let sourceCatalog = state.catalogItems[template.catalogItem]?.catalog
        state.vms[id]?.sourceOrg = template.org
        state.vms[id]?.sourceCatalog = sourceCatalog
    }

    /// What a capture keeps of a VM's extra config: the .vmx settings (set through the API), not the values its guest
    /// set at run time with `info-set` (runtime guest variables, gone with a power cycle). The simulator keeps both in
    /// one map, so the guest's own keys (`guestinfo.cse.*` reports) are left out here.
    static func capturedExtraConfig(_ extraConfig: [String: String]) -> [String: String]? {
        let kept = extraConfig.filter { !$0.key.hasPrefix("guestinfo.cse.") }
        return kept.isEmpty ? nil : kept
    }

    private func removeVM(_ id: String) {
        state.releaseIPs(of: id)
        state.vms[id] = nil
        state.removeMetadata(of: id)
    }

    private func powerOnVM(_ id: String, at time: Date) {
        guard var vm = state.vms[id], vm.status != 4 else { return }
        vm.status = 4
        vm.deployed = true
        if vm.firstPoweredOnAt == nil { vm.firstPoweredOnAt = time }
        // DHCP leases come with power-on; pool addresses were handed out at creation.
        if vm.ipMode == "DHCP", vm.ipAddress == nil, let network = vm.network,
           let config = state.vApps[vm.vApp]?.networks.first(where: { $0.name == network }) {
            vm.ipAddress = state.allocateIP(network: config.parentNetwork, vm: id)
        }
        // The guest runs its bootstrap on first boot only: cloud-init images from `guestinfo.userdata`, others the
        // guest customization script, as vCD's does.
        if vm.guest == nil, let script = guestScript(of: vm), let role = GuestContract.role(ofScript: script) {
            var run = SimGuestRun(role: role.rawValue, startedAt: time)
            if let rule = faults.fire([.guestFailure], method: "POST", path: "/guest/\(role.rawValue)", operation: "guestBootstrap", role: role.rawValue) {
                if rule.silent == true {
                    run.silent = true
                } else {
                    run.failPhase = rule.phase ?? GuestContract.phases(for: role).dropFirst().first ?? "init"
                    run.failReason = rule.reason ?? "injected failure"
                }
            }
            vm.guest = run
        }
        state.vms[id] = vm
    }

    private func powerOffVM(_ id: String, undeploy: Bool) {
        guard var vm = state.vms[id] else { return }
        vm.status = 8
        if undeploy { vm.deployed = false }
        state.vms[id] = vm
    }
}
