import Foundation

/// A VM to add to a vApp from a template VM.
public struct SourcedVM: Sendable, Hashable {
    public var name: String
    public var templateVMHref: String
    public var network: String
    public var ipAllocationMode: String
    public var customizationScript: String?
    public var storageProfileHref: String?

    public init(name: String, templateVMHref: String, network: String, ipAllocationMode: String = "POOL",
                customizationScript: String? = nil, storageProfileHref: String? = nil) {
        self.name = name
        self.templateVMHref = templateVMHref
        self.network = network
        self.ipAllocationMode = ipAllocationMode
        self.customizationScript = customizationScript
        self.storageProfileHref = storageProfileHref
    }
}

extension VCDSession {
    /// Creates an empty vApp bridged to an org vdc network. vCD answers 201 with the vApp and its creation task.
    public func composeVApp(vdc: XMLTree, name: String, description: String, network: NamedRef) async throws -> (vApp: XMLTree, task: VCDTask?) {
        guard let add = vdc.link(rel: "add", type: MediaType.composeVAppParams) else {
            throw VCDError(status: 0, message: "vdc offers no compose link", request: "compose")
        }
        let body = XMLWriter.element("ComposeVAppParams", ["xmlns": XMLWriter.vcloud, "xmlns:ovf": XMLWriter.ovf, "name": name,
                                                           "deploy": "false", "powerOn": "false"],
            XMLWriter.text("Description", description)
            + XMLWriter.element("InstantiationParams", [:], networkConfig(network))
            + XMLWriter.text("AllEULAsAccepted", "true"))
        let vApp = try await send("POST", add.href, xml: body, contentType: MediaType.composeVAppParams)
        return (vApp, try vApp.first("Tasks")?.first("Task").map(VCDTask.init))
    }

    /// Instantiates a vApp template (the template build's temporary vApp) with a customization script; powered on unless
    /// `powerOn` is false (cloud-init images get their user data in extra config first).
    public func instantiate(vdcHref: String, templateHref: String, templateVM: XMLTree, name: String, network: NamedRef,
                            ipAllocationMode: String, customizationScript: String?, powerOn: Bool = true,
                            description: String? = nil) async throws -> (vApp: XMLTree, task: VCDTask?) {
        let vmName = templateVM["name"] ?? "vm"
        let sourced = XMLWriter.element("SourcedItem", [:],
            XMLWriter.element("Source", ["href": templateVM["href"], "type": MediaType.vm, "name": vmName])
            + XMLWriter.element("VmGeneralParams", [:], XMLWriter.text("Name", vmName) + XMLWriter.text("NeedsCustomization", "true"))
            + XMLWriter.element("InstantiationParams", [:],
                                networkConnection(network: network.name, mode: ipAllocationMode)
                                + guestCustomization(computerName: name, script: customizationScript)))
        let body = XMLWriter.element("InstantiateVAppTemplateParams", ["xmlns": XMLWriter.vcloud, "xmlns:ovf": XMLWriter.ovf,
                                                                       "name": name, "deploy": powerOn ? "true" : "false",
                                                                       "powerOn": powerOn ? "true" : "false"],
            // ParamsType's Description comes first (vApp.xsd); it is how a re-run recognises the vApp as its own.
            (description.map { XMLWriter.text("Description", $0) } ?? "")
            + XMLWriter.element("InstantiationParams", [:], networkConfig(network))
            + XMLWriter.element("Source", ["href": templateHref])
            + sourced
            + XMLWriter.text("AllEULAsAccepted", "true"))
        let vApp = try await send("POST", vdcHref + "/action/instantiateVAppTemplate", xml: body,
                                  contentType: MediaType.instantiateVAppTemplateParams)
        return (vApp, try vApp.first("Tasks")?.first("Task").map(VCDTask.init))
    }

    /// Adds VMs to a vApp (recompose). vCD answers 202 with a task.
    public func addVMs(to vApp: XMLTree, _ vms: [SourcedVM]) async throws -> VCDTask {
        let items = vms.map { vm in
            XMLWriter.element("SourcedItem", [:],
                XMLWriter.element("Source", ["href": vm.templateVMHref, "type": MediaType.vm])
                + XMLWriter.element("VmGeneralParams", [:], XMLWriter.text("Name", vm.name) + XMLWriter.text("NeedsCustomization", "true"))
                + XMLWriter.element("InstantiationParams", [:],
                                    networkConnection(network: vm.network, mode: vm.ipAllocationMode)
                                    + guestCustomization(computerName: vm.name, script: vm.customizationScript))
                + (vm.storageProfileHref.map { XMLWriter.element("StorageProfile", ["href": $0]) } ?? ""))
        }.joined()
        return try await recompose(vApp, items + XMLWriter.text("AllEULAsAccepted", "true"))
    }

    /// Removes VMs from a vApp (recompose with DeleteItem).
    public func removeVMs(from vApp: XMLTree, vmHrefs: [String]) async throws -> VCDTask {
        try await recompose(vApp, vmHrefs.map { XMLWriter.element("DeleteItem", ["href": $0]) }.joined())
    }

    private func recompose(_ vApp: XMLTree, _ items: String) async throws -> VCDTask {
        let href = vApp.link(rel: "recompose", type: MediaType.recomposeVAppParams)?.href ?? (vApp["href"] ?? "") + "/action/recomposeVApp"
        let body = XMLWriter.element("RecomposeVAppParams", ["xmlns": XMLWriter.vcloud, "xmlns:ovf": XMLWriter.ovf], items)
        return try VCDTask(try await send("POST", href, xml: body, contentType: MediaType.recomposeVAppParams))
    }

    public func powerOn(_ entityHref: String) async throws -> VCDTask {
        try VCDTask(try XMLTree.parse(try await send("POST", entityHref + "/power/action/powerOn").body))
    }

    /// Powers off and undeploys a vApp or VM (needed before vCD deletes it).
    public func undeploy(_ entityHref: String) async throws -> VCDTask {
        let body = XMLWriter.element("UndeployVAppParams", ["xmlns": XMLWriter.vcloud], XMLWriter.text("UndeployPowerAction", "powerOff"))
        return try VCDTask(try await send("POST", entityHref + "/action/undeploy", xml: body, contentType: MediaType.undeployVAppParams))
    }

    /// Deletes a catalog item with its vApp template. vCD answers `204 No Content` with an empty body (vCloud API
    /// reference, DELETE /catalogItem/{id}; pyvcloud's Org.delete_catalog_item expects no task either): nil then;
    /// a Task, should a release answer with one, is returned to wait for.
    public func deleteCatalogItem(_ href: String) async throws -> VCDTask? {
        let response = try await send("DELETE", href)
        guard response.status != 204, !response.body.isEmpty else { return nil }
        return try VCDTask(try XMLTree.parse(response.body))
    }

    public func delete(_ href: String) async throws -> VCDTask {
        try VCDTask(try XMLTree.parse(try await send("DELETE", href).body))
    }

    /// Sets a VM's CPU count and memory through its virtual hardware section: one change per item that differs, each a
    /// task; the second starts only after `wait` saw the first end (vCD refuses a change to a busy VM with BUSY_ENTITY).
    /// A running VM can only grow, and only with hot add on (its VmCapabilities); otherwise the VM is powered off for
    /// the change and on again after it.
    public func resize(vmHref: String, cpu: Int, memoryMB: Int, wait: (VCDTask) async throws -> Void) async throws {
        let vm = try await get(vmHref)
        let current = VMHardware(vm)
        let changeCPU = current.cpu != cpu
        let changeMemory = current.memoryMB != memoryMB
        guard changeCPU || changeMemory else { return }
        let hotCPU = !changeCPU || (current.cpuHotAdd && cpu > current.cpu ?? Int.max)
        let hotMemory = !changeMemory || (current.memoryHotAdd && memoryMB > current.memoryMB ?? Int.max)
        let powerCycle = current.poweredOn && !(hotCPU && hotMemory)
        if powerCycle { try await wait(powerOff(vmHref)) }
        if changeCPU {
            let cpuItem = rasdItem(resourceType: 3, instanceID: 4, units: "hertz * 10^6", description: "Number of Virtual CPUs",
                                   elementName: "\(cpu) virtual CPU(s)", quantity: cpu,
                                   extra: "<vmw:CoresPerSocket ovf:required=\"false\">\(cpu)</vmw:CoresPerSocket>")
            try await wait(try VCDTask(try await send("PUT", vmHref + "/virtualHardwareSection/cpu", xml: cpuItem, contentType: MediaType.rasdItem)))
        }
        if changeMemory {
            let memoryItem = rasdItem(resourceType: 4, instanceID: 5, units: "byte * 2^20", description: "Memory Size",
                                      elementName: "\(memoryMB) MB of memory", quantity: memoryMB, extra: "")
            try await wait(try VCDTask(try await send("PUT", vmHref + "/virtualHardwareSection/memory", xml: memoryItem, contentType: MediaType.rasdItem)))
        }
        if powerCycle { try await wait(powerOn(vmHref)) }
    }

    /// Powers a vApp or VM off; it stays deployed (vCD's `power/action/powerOff`).
    public func powerOff(_ entityHref: String) async throws -> VCDTask {
        try VCDTask(try XMLTree.parse(try await send("POST", entityHref + "/power/action/powerOff").body))
    }

    /// Captures a vApp as a vApp template in a catalog.
    public func capture(vAppHref: String, into catalog: XMLTree, itemName: String, description: String) async throws -> VCDTask {
        guard let add = catalog.link(rel: "add", type: MediaType.captureVAppParams) else {
            throw VCDError(status: 0, message: "catalog offers no capture link", request: "capture")
        }
        let body = XMLWriter.element("CaptureVAppParams", ["xmlns": XMLWriter.vcloud, "xmlns:ovf": XMLWriter.ovf, "name": itemName],
            XMLWriter.text("Description", description)
            + XMLWriter.element("Source", ["href": vAppHref])
            + XMLWriter.element("CustomizationSection", [:], "<ovf:Info>VApp template customization section</ovf:Info>"
                                + XMLWriter.text("CustomizeOnInstantiate", "true")))
        let answer = try await send("POST", add.href, xml: body, contentType: MediaType.captureVAppParams)
        // vCD answers with the new vAppTemplate (its Tasks inside) or with the Task itself, depending on version.
        if answer.name == "Task" { return try VCDTask(answer) }
        guard let task = answer.first("Tasks")?.first("Task") else {
            throw VCDError(status: 0, message: "capture answered without a task", request: "capture")
        }
        return try VCDTask(task)
    }

    // MARK: XML pieces

    private nonisolated func networkConfig(_ network: NamedRef) -> String {
        XMLWriter.element("NetworkConfigSection", [:],
            "<ovf:Info>Configuration parameters for logical networks</ovf:Info>"
            + XMLWriter.element("NetworkConfig", ["networkName": network.name],
                XMLWriter.element("Configuration", [:],
                    XMLWriter.element("ParentNetwork", ["href": network.href]) + XMLWriter.text("FenceMode", "bridged"))))
    }

    private nonisolated func networkConnection(network: String, mode: String) -> String {
        XMLWriter.element("NetworkConnectionSection", [:],
            "<ovf:Info>Network connections</ovf:Info>" + XMLWriter.text("PrimaryNetworkConnectionIndex", "0")
            + XMLWriter.element("NetworkConnection", ["network": network],
                XMLWriter.text("NetworkConnectionIndex", "0") + XMLWriter.text("IsConnected", "true")
                + XMLWriter.text("IpAddressAllocationMode", mode)))
    }

    private nonisolated func guestCustomization(computerName: String, script: String?) -> String {
        XMLWriter.element("GuestCustomizationSection", [:],
            "<ovf:Info>Guest customization</ovf:Info>" + XMLWriter.text("Enabled", "true")
            + XMLWriter.text("AdminPasswordEnabled", "true") + XMLWriter.text("AdminPasswordAuto", "true")
            + (script.map { XMLWriter.text("CustomizationScript", $0) } ?? "")
            + XMLWriter.text("ComputerName", computerName))
    }

    /// A rasdItem document: its only global element is `{http://www.vmware.com/vcloud/v1.5}Item` of type `ovf:RASD_Type`
    /// (vApp.xsd), with the CIM elements in the schema's (alphabetical) order; an `ovf:Item` root gets 400 from vCD.
    /// pyvcloud's VM.modify_cpu/modify_memory PUT the same element back after editing what they read.
    private nonisolated func rasdItem(resourceType: Int, instanceID: Int, units: String, description: String, elementName: String,
                                      quantity: Int, extra: String) -> String {
        "<Item xmlns=\"\(XMLWriter.vcloud)\" xmlns:ovf=\"\(XMLWriter.ovf)\" xmlns:rasd=\"\(XMLWriter.rasd)\" xmlns:vmw=\"\(XMLWriter.vmw)\">"
            + XMLWriter.text("rasd:AllocationUnits", units) + XMLWriter.text("rasd:Description", description)
            + XMLWriter.text("rasd:ElementName", elementName) + XMLWriter.text("rasd:InstanceID", "\(instanceID)")
            + XMLWriter.text("rasd:Reservation", "0") + XMLWriter.text("rasd:ResourceType", "\(resourceType)")
            + XMLWriter.text("rasd:VirtualQuantity", "\(quantity)") + XMLWriter.text("rasd:Weight", "0") + extra + "</Item>"
    }
}

/// What a VM document says of its size, power and hot-add capabilities.
struct VMHardware {
    var cpu: Int?
    var memoryMB: Int?
    var poweredOn: Bool
    var cpuHotAdd: Bool
    var memoryHotAdd: Bool

    init(_ vm: XMLTree) {
        let items = vm.first("VirtualHardwareSection")?.all("Item") ?? []
        func quantity(_ type: String) -> Int? {
            items.first { $0.first("ResourceType")?.text == type }?.first("VirtualQuantity").flatMap { Int($0.text) }
        }
        cpu = vm.path("VmSpecSection", "NumCpus").flatMap { Int($0.text) } ?? quantity("3")
        memoryMB = vm.path("VmSpecSection", "MemoryResourceMb", "Configured").flatMap { Int($0.text) } ?? quantity("4")
        poweredOn = vm["status"] == "4"
        cpuHotAdd = vm.path("VmCapabilities", "CpuHotAddEnabled")?.text == "true"
        memoryHotAdd = vm.path("VmCapabilities", "MemoryHotAddEnabled")?.text == "true"
    }
}
