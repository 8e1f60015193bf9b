import Foundation

/// Changes to vApps and VMs: compose, instantiate, recompose, power, delete, capture, hardware, extra config.
extension Simulator {
    func compose(_ request: SimRequest, vdcID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard let vdc = state.vdcs[vdcID] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vdc:\(vdcID)\".") }
        try require(caller, canSee: vdc.org)
        let body = try parseBody(request)
        guard body.name == "ComposeVAppParams" else { throw SimFault.badRequest("expected ComposeVAppParams, got \(body.name)") }
        let vApp = try newVApp(body, vdc: vdc, caller: caller, now: now)
        let items = try body.all("SourcedItem").map { try pendingVM($0, caller: caller) }
        let task = try startTask(operation: "vdcComposeVapp", name: "Creating Virtual Application \(vApp.name)(\(vApp.id))", org: vdc.org, caller: caller,
                                 object: (.vApp, vApp.id, vApp.name),
                                 effect: items.isEmpty ? .resolveVApp(vApp: vApp.id) : .addVMs(vApp: vApp.id, vms: items, powerOn: body["powerOn"] == "true"),
                                 now: now, method: request.method, path: request.path)
        _ = task
        return try vAppCreated(vApp, caller: caller)
    }

    func instantiate(_ request: SimRequest, vdcID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard let vdc = state.vdcs[vdcID] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vdc:\(vdcID)\".") }
        try require(caller, canSee: vdc.org)
        let body = try parseBody(request)
        guard body.name == "InstantiateVAppTemplateParams" else { throw SimFault.badRequest("expected InstantiateVAppTemplateParams, got \(body.name)") }
        guard let sourceHref = body.first("Source")?["href"], let templateID = Self.entityID(sourceHref, prefix: "vappTemplate-"),
              let template = state.templates[templateID] else {
            throw SimFault.badRequest("Source must name a vApp template")
        }
        try require(caller, canUse: template)
        guard template.status == 8 else { throw SimFault.badRequest("the vApp template \(template.name) is not ready (status \(template.status))") }
        var overrides: [String: SimXML] = [:]
        for item in body.all("SourcedItem") {
            if let href = item.first("Source")?["href"], let id = Self.entityID(href, prefix: "vm-") { overrides[id] = item }
        }
        let vApp = try newVApp(body, vdc: vdc, caller: caller, now: now)
        var vms: [SimPendingVM] = []
        for templateVM in template.vms {
            if let item = overrides[templateVM.id] {
                vms.append(try pendingVM(item, caller: caller))
            } else {
                vms.append(SimPendingVM(name: templateVM.name, sourceVM: templateVM.id, network: vApp.networks.first?.name, ipMode: "POOL",
                                        computerName: templateVM.name, customizationScript: nil, storageProfile: nil))
            }
        }
        _ = try startTask(operation: "vdcInstantiateVapp", name: "Creating Virtual Application \(vApp.name)(\(vApp.id))", org: vdc.org, caller: caller,
                          object: (.vApp, vApp.id, vApp.name), effect: .addVMs(vApp: vApp.id, vms: vms, powerOn: body["powerOn"] == "true"),
                          now: now, method: request.method, path: request.path)
        return try vAppCreated(vApp, caller: caller)
    }

    private func newVApp(_ body: SimXML, vdc: SimVdc, caller: SimCaller, now: Date) throws -> SimVApp {
        guard let name = body["name"], !name.isEmpty else { throw SimFault.badRequest("the vApp needs a name") }
        if state.vApps.values.contains(where: { $0.vdc == vdc.id && $0.name == name }) {
            throw SimFault.duplicateName("The VCD entity \(name) already exists.")
        }
        var networks: [SimNetworkConfig] = []
        for config in body.path("InstantiationParams", "NetworkConfigSection")?.all("NetworkConfig") ?? [] {
            guard let name = config["networkName"] else { continue }
            let parentHref = config.path("Configuration", "ParentNetwork")?["href"]
            let parent = parentHref.flatMap { Self.entityID($0, prefix: "") }.flatMap { state.networks[$0] }
                ?? state.networks.values.first { $0.vdc == vdc.id && $0.name == name }
            guard let parent, parent.vdc == vdc.id || parent.org == vdc.org else {
                throw SimFault.badRequest("network \(name) is not available in vdc \(vdc.name)")
            }
            networks.append(SimNetworkConfig(name: name, parentNetwork: parent.id))
        }
        let vApp = SimVApp(id: state.newID(0xa99), name: name, description: body.first("Description")?.text ?? "", org: vdc.org, vdc: vdc.id,
                           owner: caller.user.id, networks: networks, isResolved: false, deployed: false, createdAt: now)
        state.vApps[vApp.id] = vApp
        dirty = true
        return vApp
    }

    private func vAppCreated(_ vApp: SimVApp, caller: SimCaller) throws -> SimResponse {
        var response = try vAppOrVMDocument("vapp-" + vApp.id, caller: caller)
        response.status = 201
        return response
    }

    func pendingVM(_ item: SimXML, caller: SimCaller) throws -> SimPendingVM {
        guard let href = item.first("Source")?["href"], let id = Self.entityID(href, prefix: "vm-"), let (template, templateVM) = state.templateVM(id) else {
            throw SimFault.badRequest("SourcedItem/Source must name a VM of a vApp template")
        }
        try require(caller, canUse: template)
        let connection = item.path("InstantiationParams", "NetworkConnectionSection")?.first("NetworkConnection")
        let customization = item.path("InstantiationParams", "GuestCustomizationSection")
        let name = item.path("VmGeneralParams", "Name")?.text ?? templateVM.name
        let mode = connection?.first("IpAddressAllocationMode")?.text ?? "POOL"
        guard ["POOL", "DHCP", "MANUAL", "NONE"].contains(mode) else { throw SimFault.badRequest("unknown IpAddressAllocationMode \(mode)") }
        return SimPendingVM(name: name, sourceVM: id, network: connection?["network"], ipMode: mode,
                            computerName: customization?.first("ComputerName")?.text ?? name,
                            customizationScript: customization?.first("CustomizationScript")?.text,
                            storageProfile: item.first("StorageProfile")?["href"].flatMap { Self.entityID($0, prefix: "") })
    }

    func recompose(_ request: SimRequest, vAppRef: String, caller: SimCaller, now: Date) throws -> SimResponse {
        let vApp = try vApp(vAppRef, caller: caller)
        let body = try parseBody(request)
        guard body.name == "RecomposeVAppParams" else { throw SimFault.badRequest("expected RecomposeVAppParams, got \(body.name)") }
        let add = try body.all("SourcedItem").map { try pendingVM($0, caller: caller) }
        let existing = Set(state.vmsOf(vApp: vApp.id).map(\.name))
        for vm in add where existing.contains(vm.name) { throw SimFault.duplicateName("A VM named \(vm.name) already exists in vApp \(vApp.name).") }
        var delete: [String] = []
        for item in body.all("DeleteItem") {
            guard let href = item["href"], let id = Self.entityID(href, prefix: "vm-"), let vm = state.vms[id], vm.vApp == vApp.id else {
                throw SimFault.badRequest("DeleteItem must name a VM of vApp \(vApp.name)")
            }
            guard vm.status != 4 else { throw SimFault.badRequest("The requested operation could not be executed since VM \"\(vm.name)\" is not powered off.") }
            delete.append(id)
        }
        let task = try startTask(operation: "vappRecompose", name: "Updating Virtual Application \(vApp.name)(\(vApp.id))", org: vApp.org, caller: caller,
                                 object: (.vApp, vApp.id, vApp.name), effect: .recompose(vApp: vApp.id, add: add, delete: delete),
                                 lockAlso: state.vmsOf(vApp: vApp.id).map(\.id), now: now, method: request.method, path: request.path)
        return taskResponse(task)
    }

    func power(_ ref: String, on: Bool, undeploy: Bool, caller: SimCaller, now: Date) throws -> SimResponse {
        let path = "/api/vApp/\(ref)/power"
        if ref.hasPrefix("vm-") {
            let vm = try vm(ref, caller: caller)
            let operation = on ? "vmPowerOn" : (undeploy ? "vappUndeployPowerOff" : "vappPowerOff")
            let task = try startTask(operation: operation, name: "\(on ? "Starting" : "Stopping") Virtual Machine \(vm.name)(\(vm.id))",
                                     org: vm.org, caller: caller, object: (.vm, vm.id, vm.name),
                                     effect: .power(vms: [vm.id], on: on, undeploy: undeploy, vApp: nil), lockAlso: [vm.vApp], now: now,
                                     method: "POST", path: path)
            return taskResponse(task)
        }
        let vApp = try vApp(ref, caller: caller)
        let vms = state.vmsOf(vApp: vApp.id).map(\.id)
        let task = try startTask(operation: on ? "vappDeploy" : (undeploy ? "vappUndeployPowerOff" : "vappPowerOff"),
                                 name: "\(on ? "Starting" : "Stopping") Virtual Application \(vApp.name)(\(vApp.id))", org: vApp.org, caller: caller,
                                 object: (.vApp, vApp.id, vApp.name), effect: .power(vms: vms, on: on, undeploy: undeploy, vApp: vApp.id),
                                 lockAlso: vms, now: now, method: "POST", path: path)
        return taskResponse(task)
    }

    func deleteVAppOrVM(_ ref: String, caller: SimCaller, now: Date) throws -> SimResponse {
        if ref.hasPrefix("vm-") {
            let vm = try vm(ref, caller: caller)
            guard vm.status != 4 else { throw SimFault.badRequest("The requested operation could not be executed since VM \"\(vm.name)\" is not powered off.") }
            let task = try startTask(operation: "vappDeleteVm", name: "Deleting Virtual Machine \(vm.name)(\(vm.id))", org: vm.org, caller: caller,
                                     object: (.vm, vm.id, vm.name), effect: .recompose(vApp: vm.vApp, add: [], delete: [vm.id]), lockAlso: [vm.vApp],
                                     now: now, method: "DELETE", path: "/api/vApp/\(ref)")
            return taskResponse(task)
        }
        let vApp = try vApp(ref, caller: caller)
        guard !vApp.deployed, state.status(ofVApp: vApp) != 4, state.status(ofVApp: vApp) != 10 else {
            throw SimFault.badRequest("The requested operation could not be executed since vApp \"\(vApp.name)\" is not powered off.")
        }
        let task = try startTask(operation: "vdcDeleteVapp", name: "Deleting Virtual Application \(vApp.name)(\(vApp.id))", org: vApp.org, caller: caller,
                                 object: (.vApp, vApp.id, vApp.name), effect: .deleteVApp(vApp: vApp.id),
                                 lockAlso: state.vmsOf(vApp: vApp.id).map(\.id), now: now, method: "DELETE", path: "/api/vApp/\(ref)")
        return taskResponse(task)
    }

    func capture(_ request: SimRequest, catalogID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard let catalog = state.catalogs[catalogID] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.catalog:\(catalogID)\".") }
        try require(caller, canSee: catalog.org)
        let body = try parseBody(request)
        guard body.name == "CaptureVAppParams", let name = body["name"], !name.isEmpty else { throw SimFault.badRequest("expected CaptureVAppParams with a name") }
        guard let source = body.first("Source")?["href"], let vAppID = Self.entityID(source, prefix: "vapp-"), let vApp = state.vApps[vAppID] else {
            throw SimFault.badRequest("Source must name a vApp")
        }
        try require(caller, canSee: vApp.org)
        if state.catalogItems.values.contains(where: { $0.catalog == catalogID && $0.name == name }) {
            throw SimFault.duplicateName("The VCD entity \(name) already exists in catalog \(catalog.name).")
        }
        if let running = state.runningTask(on: vAppID) { throw SimFault.busy("The entity \(vApp.name) is busy completing an operation \(running.operationName).") }
        let templateID = state.newID(0x7e3)
        let itemID = state.newID(0x17e)
        state.templates[templateID] = SimTemplate(id: templateID, name: name, org: catalog.org, vdc: vApp.vdc, catalogItem: itemID, vms: [], status: 0, ovaSHA1: nil)
        state.catalogItems[itemID] = SimCatalogItem(id: itemID, name: name, description: body.first("Description")?.text ?? "", catalog: catalogID,
                                                    template: templateID, createdAt: now)
        _ = try startTask(operation: "vdcCaptureTemplate", name: "Capturing Virtual Application Template \(name)(\(templateID))", org: catalog.org, caller: caller,
                          object: (.vAppTemplate, templateID, name), effect: .capture(vApp: vAppID, template: templateID), lockAlso: [vAppID],
                          now: now, method: request.method, path: request.path)
        var response = try vAppTemplateDocument(templateID, caller: caller)
        response.status = 201
        return response
    }

    /// vCD deletes a catalog item (and its vApp template) at once and answers `204 No Content` with no body
    /// (vCloud API reference, DELETE /catalogItem/{id}); an item whose template is busy is refused.
    func deleteCatalogItem(_ id: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard let item = state.catalogItems[id], let catalog = state.catalogs[item.catalog] else {
            throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.catalogItem:\(id)\".")
        }
        try require(caller, canSee: catalog.org)
        if let running = state.runningTask(on: item.template) ?? state.runningTask(on: id) {
            throw SimFault.busy("The entity \(item.name) is busy completing an operation \(running.operationName).")
        }
        uploadProgress = uploadProgress.filter { !$0.key.hasPrefix(item.template + "/") }
        state.templates[item.template] = nil
        state.metadata[item.template] = nil
        state.catalogItems[id] = nil
        state.metadata[id] = nil
        dirty = true
        return SimResponse(status: 204)
    }

    func setHardwareItem(_ request: SimRequest, vmRef: String, item: String, caller: SimCaller, now: Date) throws -> SimResponse {
        let vm = try vm(vmRef, caller: caller)
        let body = try parseBody(request)
        // application/vnd.vmware.vcloud.rasdItem+xml has one global element, {http://www.vmware.com/vcloud/v1.5}Item
        // (vApp.xsd); an ovf:Item root is not a document vCD's JAXB unmarshals (400), with or without XSD checks here.
        guard body.name == "Item", body.namespace == SimXML.vcloudNamespace else {
            throw SimFault.badRequest("Bad request: a rasdItem body must be a {\(SimXML.vcloudNamespace)}Item element, not {\(body.namespace)}\(body.name)")
        }
        guard let quantity = body.first("VirtualQuantity").flatMap({ Int($0.text.trimmingCharacters(in: .whitespaces)) }), quantity > 0 else {
            throw SimFault.badRequest("the RASD item needs a positive VirtualQuantity")
        }
        let effect: SimEffect
        switch item {
        case "cpu":
            guard body.first("ResourceType")?.text == "3" else { throw SimFault.badRequest("the cpu item must have ResourceType 3") }
            guard quantity <= 128 else { throw SimFault.badRequest("a VM can have at most 128 CPUs") }
            try requireHotAdd(vm, cpu: quantity, memoryMB: nil)
            effect = .hardware(vm: vm.id, cpu: quantity, memoryMB: nil, extraConfig: [:])
        case "memory":
            guard body.first("ResourceType")?.text == "4" else { throw SimFault.badRequest("the memory item must have ResourceType 4") }
            guard quantity >= 4, quantity <= 4_194_304 else { throw SimFault.badRequest("memory must be between 4 MB and 4 TB") }
            try requireHotAdd(vm, cpu: nil, memoryMB: quantity)
            effect = .hardware(vm: vm.id, cpu: nil, memoryMB: quantity, extraConfig: [:])
        default: throw SimFault.notFound("no hardware item \(item)")
        }
        let task = try startTask(operation: "vappUpdateVm", name: "Updating Virtual Machine \(vm.name)(\(vm.id))", org: vm.org, caller: caller,
                                 object: (.vm, vm.id, vm.name), effect: effect, lockAlso: [vm.vApp], now: now, method: request.method, path: request.path)
        return taskResponse(task)
    }

    /// `reconfigureVm` with a full Vm document: name, CPU, memory and (system administrators) extra config.
    func reconfigure(_ request: SimRequest, vmRef: String, caller: SimCaller, now: Date) throws -> SimResponse {
        let vm = try vm(vmRef, caller: caller)
        let body = try parseBody(request)
        guard body.name == "Vm" else { throw SimFault.badRequest("expected a Vm document, got \(body.name)") }
        var extra: [String: String] = [:]
        for element in body.descendants("ExtraConfig") {
            if let key = element["key"] { extra[key] = element["value"] ?? "" }
        }
        if !extra.isEmpty { try requireSystemAdministrator(caller) }
        let cpu = body.path("VmSpecSection", "NumCpus").flatMap { Int($0.text) }
        let memory = body.path("VmSpecSection", "MemoryResourceMb", "Configured").flatMap { Int($0.text) }
        try requireHotAdd(vm, cpu: cpu, memoryMB: memory)
        let task = try startTask(operation: "vappUpdateVm", name: "Updating Virtual Machine \(vm.name)(\(vm.id))", org: vm.org, caller: caller,
                                 object: (.vm, vm.id, vm.name), effect: .hardware(vm: vm.id, cpu: cpu, memoryMB: memory, extraConfig: extra),
                                 lockAlso: [vm.vApp], now: now, method: request.method, path: request.path)
        return taskResponse(task)
    }

    /// `PUT /vApp/{vm-id}/vmCapabilities`: hot add is a setting of the powered-off VM (vSphere changes it only then);
    /// a task, like every VM change.
    func setVMCapabilities(_ request: SimRequest, vmRef: String, caller: SimCaller, now: Date) throws -> SimResponse {
        let vm = try vm(vmRef, caller: caller)
        let body = try parseBody(request)
        guard body.name == "VmCapabilities", body.namespace == SimXML.vcloudNamespace else {
            throw SimFault.badRequest("Bad request: expected a {\(SimXML.vcloudNamespace)}VmCapabilities document, not {\(body.namespace)}\(body.name)")
        }
        guard vm.status != 4 else {
            throw SimFault.badRequest("The requested operation could not be executed since VM \"\(vm.name)\" is not powered off.")
        }
        func flag(_ name: String) -> Bool? { body.first(name).map { $0.text.trimmingCharacters(in: .whitespaces) == "true" } }
        let task = try startTask(operation: "vappUpdateVm", name: "Updating Virtual Machine \(vm.name)(\(vm.id))", org: vm.org, caller: caller,
                                 object: (.vm, vm.id, vm.name),
                                 effect: .capabilities(vm: vm.id, cpuHotAdd: flag("CpuHotAddEnabled"), memoryHotAdd: flag("MemoryHotAddEnabled")),
                                 lockAlso: [vm.vApp], now: now, method: request.method, path: request.path)
        return taskResponse(task)
    }

    /// A running VM's CPUs and memory can only grow, and only with hot add on (VmCapabilitiesType: "supports addition
    /// of virtual CPUs / memory while powered on"); anything else needs the VM powered off, as in vSphere.
    func requireHotAdd(_ vm: SimVM, cpu: Int?, memoryMB: Int?) throws {
        guard vm.status == 4 else { return }
        if let cpu, cpu != vm.cpu {
            guard vm.cpuHotAddEnabled == true, cpu > vm.cpu else {
                throw SimFault.badRequest("The operation could not be performed: the number of CPUs of VM \"\(vm.name)\" cannot change while it is powered on"
                                          + (vm.cpuHotAddEnabled == true ? " (hot add only adds CPUs)." : " (CPU hot add is not enabled)."))
            }
        }
        if let memoryMB, memoryMB != vm.memoryMB {
            guard vm.memoryHotAddEnabled == true, memoryMB > vm.memoryMB else {
                throw SimFault.badRequest("The operation could not be performed: the memory of VM \"\(vm.name)\" cannot change while it is powered on"
                                          + (vm.memoryHotAddEnabled == true ? " (hot add only adds memory)." : " (memory hot add is not enabled)."))
            }
        }
    }

    /// Templates of the caller's org, or any for a system administrator (who publishes catalogs to tenants).
    func require(_ caller: SimCaller, canUse template: SimTemplate) throws {
        guard caller.isSystemAdministrator || template.org == caller.org.id else {
            throw SimFault.forbidden("No access to vApp template \(template.name).")
        }
    }

    /// The id at the end of an href: `.../vApp/vapp-<id>` with prefix `vapp-`, or the last segment with "".
    static func entityID(_ href: String, prefix: String) -> String? {
        guard let last = href.split(separator: "/").last.map(String.init) else { return nil }
        if prefix.isEmpty { return last }
        return last.hasPrefix(prefix) ? String(last.dropFirst(prefix.count)) : nil
    }
}
