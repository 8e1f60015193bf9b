import Foundation

/// vCloud XML for the simulator's entities, with the links real clients follow (protocol notes 3.12).
struct SimRender {
    let state: SimState
    let base: String

    enum Kind {
        case org, adminOrg, vdc, network, catalog, catalogItem, vAppTemplate, templateVM, vApp, vm, task, tasksList, storageProfile
        case extensionService, user
    }

    func href(_ kind: Kind, _ id: String) -> String {
        switch kind {
        case .org: return base + "/api/org/" + id
        case .adminOrg: return base + "/api/admin/org/" + id
        case .vdc: return base + "/api/vdc/" + id
        case .network: return base + "/api/network/" + id
        case .catalog: return base + "/api/catalog/" + id
        case .catalogItem: return base + "/api/catalogItem/" + id
        case .vAppTemplate: return base + "/api/vAppTemplate/vappTemplate-" + id
        case .templateVM: return base + "/api/vAppTemplate/vm-" + id
        case .vApp: return base + "/api/vApp/vapp-" + id
        case .vm: return base + "/api/vApp/vm-" + id
        case .task: return base + "/api/task/" + id
        case .tasksList: return base + "/api/tasksList/" + id
        case .storageProfile: return base + "/api/vdcStorageProfile/" + id
        case .extensionService: return base + "/api/admin/extension/service/" + id
        case .user: return base + "/api/admin/user/" + id
        }
    }

    func href(of kind: SimEntityKind, _ id: String) -> String {
        switch kind {
        case .org: return href(.org, id)
        case .vdc: return href(.vdc, id)
        case .network: return href(.network, id)
        case .catalog: return href(.catalog, id)
        case .catalogItem: return href(.catalogItem, id)
        case .vAppTemplate: return href(.vAppTemplate, id)
        case .vApp: return href(.vApp, id)
        case .vm: return href(.vm, id)
        case .task: return href(.task, id)
        case .extensionService: return href(.extensionService, id)
        }
    }

    static func mediaType(of kind: SimEntityKind) -> String {
        switch kind {
        case .org: return "application/vnd.vmware.vcloud.org+xml"
        case .vdc: return "application/vnd.vmware.vcloud.vdc+xml"
        case .network: return "application/vnd.vmware.vcloud.orgNetwork+xml"
        case .catalog: return "application/vnd.vmware.vcloud.catalog+xml"
        case .catalogItem: return "application/vnd.vmware.vcloud.catalogItem+xml"
        case .vAppTemplate: return "application/vnd.vmware.vcloud.vAppTemplate+xml"
        case .vApp: return "application/vnd.vmware.vcloud.vApp+xml"
        case .vm: return "application/vnd.vmware.vcloud.vm+xml"
        case .task: return "application/vnd.vmware.vcloud.task+xml"
        case .extensionService: return "application/vnd.vmware.admin.service+xml"
        }
    }

    func root(_ name: String, _ attributes: KeyValuePairs<String, String?>, _ content: String) -> String {
        "<\(name)\(XMLOut.namespaces)\(XMLOut.attributes(attributes))>\(content)</\(name)>"
    }

    // MARK: tasks

    func task(_ task: SimTask, asRoot: Bool = true) -> String {
        let org = state.orgs[task.org]
        let user = state.users[task.user]
        let attributes: KeyValuePairs<String, String?> = [
            "status": task.status.rawValue, "startTime": iso(task.startedAt), "endTime": task.endedAt.map(iso),
            "operationName": task.operationName, "operation": task.operation, "expiryTime": iso(task.startedAt.addingTimeInterval(30 * 86400)),
            "cancelRequested": "false", "serviceNamespace": task.isExtensionTask ? "vcloud.cse" : "com.vmware.vcloud",
            "name": "task", "id": "urn:vcloud:task:\(task.id)", "href": href(.task, task.id), "type": "application/vnd.vmware.vcloud.task+xml",
        ]
        var content = XMLOut.link(rel: "task:cancel", href: href(.task, task.id) + "/action/cancel")
        content += XMLOut.element("Owner", ["href": task.objectKind == .org ? href(.org, task.objectID) : href(of: task.objectKind, task.objectID),
                                            "name": task.objectName, "type": Self.mediaType(of: task.objectKind)])
        if let message = task.errorMessage, task.status == .error || task.status == .aborted {
            content += XMLOut.element("Error", ["stackTrace": "", "majorErrorCode": "500", "minorErrorCode": "INTERNAL_SERVER_ERROR", "message": message])
        }
        content += XMLOut.element("User", ["href": user.map { href(.user, $0.id) }, "name": user?.name ?? "system", "type": "application/vnd.vmware.admin.user+xml"])
        content += XMLOut.element("Organization", ["href": href(.org, task.org), "name": org?.name ?? "", "type": "application/vnd.vmware.vcloud.org+xml"])
        if !task.status.isFinished { content += XMLOut.text("Progress", String(task.progress)) }
        content += XMLOut.text("Details", task.details)
        if asRoot { return root("Task", attributes, content) }
        return XMLOut.element("Task", attributes, content)
    }

    func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    func runningTasks(on id: String) -> String {
        let tasks = state.tasks.values.filter { $0.objectID == id && !$0.status.isFinished && !$0.isExtensionTask }.sorted { $0.startedAt < $1.startedAt }
        guard !tasks.isEmpty else { return "" }
        return "<Tasks>" + tasks.map { task($0, asRoot: false) }.joined() + "</Tasks>"
    }

    // MARK: metadata

    /// A Metadata document: GENERAL entries without a Domain element (as vCD shows READWRITE ones, per
    /// go-vcloud-director's metadata tests), SYSTEM ones with theirs and an href under `/metadata/SYSTEM/`.
    func metadata(entityHref: String, general: [String: String], system: [String: SimSystemMetadata]) -> String {
        let entries = general.sorted { $0.key < $1.key }.map { metadataEntry(entityHref: entityHref, domain: "GENERAL", key: $0.key, value: $0.value, visibility: "READWRITE") }
            + system.sorted { $0.key < $1.key }.map { metadataEntry(entityHref: entityHref, domain: "SYSTEM", key: $0.key, value: $0.value.value, visibility: $0.value.visibility) }
        let body = XMLOut.link(rel: "up", href: entityHref) + XMLOut.link(rel: "add", href: entityHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
            + entries.joined()
        return root("Metadata", ["href": entityHref + "/metadata", "type": "application/vnd.vmware.vcloud.metadata+xml"], body)
    }

    func metadataEntry(entityHref: String, domain: String, key: String, value: String, visibility: String) -> String {
        let href = metadataEntryHref(entityHref: entityHref, domain: domain, key: key)
        let content = XMLOut.link(rel: "up", href: entityHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
            + metadataDomain(domain, visibility: visibility) + XMLOut.text("Key", key) + typedValue(value)
        return XMLOut.element("MetadataEntry", ["href": href, "type": "application/vnd.vmware.vcloud.metadata.value+xml"], content)
    }

    /// `mayChange`: edit and remove links only for who may change the entry (a SYSTEM one: a system administrator).
    func metadataValue(entityHref: String, domain: String, key: String, value: String, visibility: String, mayChange: Bool) -> String {
        let href = metadataEntryHref(entityHref: entityHref, domain: domain, key: key)
        var links = XMLOut.link(rel: "up", href: entityHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
        if mayChange {
            links += XMLOut.link(rel: "edit", href: href, type: "application/vnd.vmware.vcloud.metadata.value+xml") + XMLOut.link(rel: "remove", href: href)
        }
        return root("MetadataValue", ["href": href, "type": "application/vnd.vmware.vcloud.metadata.value+xml"],
                    links + metadataDomain(domain, visibility: visibility) + typedValue(value))
    }

    /// The Domain element: none for GENERAL READWRITE entries.
    func metadataDomain(_ domain: String, visibility: String) -> String {
        domain == "GENERAL" && visibility == "READWRITE" ? "" : XMLOut.element("Domain", ["visibility": visibility], domain)
    }

    func typedValue(_ value: String) -> String {
        "<TypedValue xsi:type=\"MetadataStringValue\">" + XMLOut.text("Value", value) + "</TypedValue>"
    }

    private func metadataEntryHref(entityHref: String, domain: String, key: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return entityHref + "/metadata/" + (domain == "SYSTEM" ? "SYSTEM/" : "") + (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)
    }

    // MARK: VMs

    func vm(_ vm: SimVM, withNamespaces: Bool, admin: Bool) -> String {
        let vmHref = href(.vm, vm.id)
        let attributes: KeyValuePairs<String, String?> = [
            "needsCustomization": "false", "nestedHypervisorEnabled": "false", "deployed": vm.deployed ? "true" : "false",
            "status": String(vm.status), "name": vm.name, "id": "urn:vcloud:vm:\(vm.id)", "href": vmHref, "type": "application/vnd.vmware.vcloud.vm+xml",
        ]
        var links = XMLOut.link(rel: "up", href: href(.vApp, vm.vApp), type: "application/vnd.vmware.vcloud.vApp+xml")
            + XMLOut.link(rel: "down", href: vmHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
            + XMLOut.link(rel: "reconfigureVm", href: vmHref + "/action/reconfigureVm", type: "application/vnd.vmware.vcloud.vm+xml", name: vm.name)
        if vm.status == 4 {
            links += XMLOut.link(rel: "power:powerOff", href: vmHref + "/power/action/powerOff")
                + XMLOut.link(rel: "power:shutdown", href: vmHref + "/power/action/shutdown")
                + XMLOut.link(rel: "undeploy", href: vmHref + "/action/undeploy", type: "application/vnd.vmware.vcloud.undeployVAppParams+xml")
        } else if vm.deployed {
            // Powered off but still deployed: it can be powered on or undeployed.
            links += XMLOut.link(rel: "power:powerOn", href: vmHref + "/power/action/powerOn")
                + XMLOut.link(rel: "undeploy", href: vmHref + "/action/undeploy", type: "application/vnd.vmware.vcloud.undeployVAppParams+xml")
        } else {
            links += XMLOut.link(rel: "power:powerOn", href: vmHref + "/power/action/powerOn")
                + XMLOut.link(rel: "remove", href: vmHref)
                + XMLOut.link(rel: "deploy", href: vmHref + "/action/deploy", type: "application/vnd.vmware.vcloud.deployVAppParams+xml")
        }
        var content = links + XMLOut.text("Description", "")
        content += runningTasks(on: vm.id)
        content += hardwareSection(vm, admin: admin)
        content += networkConnectionSection(vm)
        content += guestCustomization(vm, href: vmHref)
        content += "<VmSpecSection Modified=\"false\"><ovf:Info>Virtual hardware</ovf:Info>" + XMLOut.text("OsType", vm.osType)
            + XMLOut.text("NumCpus", String(vm.cpu)) + XMLOut.text("NumCoresPerSocket", "1")
            + "<MemoryResourceMb>" + XMLOut.text("Configured", String(vm.memoryMB)) + "</MemoryResourceMb>"
            + "<DiskSection><DiskSettings>" + XMLOut.text("DiskId", "2000") + XMLOut.text("SizeMb", String(vm.diskMB)) + "</DiskSettings></DiskSection>"
            + "</VmSpecSection>"
        if admin {
            content += "<VCloudExtension required=\"false\"><vmext:VmVimInfo><vmext:VmVimObjectRef>"
                + "<vmext:VimServerRef href=\"\(base)/api/admin/extension/vimServer/sim-vc\" name=\"sim-vc\" type=\"application/vnd.vmware.admin.vmwvirtualcenter+xml\"/>"
                + XMLOut.text("vmext:MoRef", "vm-\(vm.id.suffix(6))") + XMLOut.text("vmext:VimObjectType", "VIRTUAL_MACHINE")
                + "</vmext:VmVimObjectRef></vmext:VmVimInfo></VCloudExtension>"
        }
        // VmType's sequence: VmCapabilities (API 5.1+) comes right before StorageProfile.
        content += XMLOut.element("VmCapabilities", ["href": vmHref + "/vmCapabilities/", "type": "application/vnd.vmware.vcloud.vmCapabilitiesSection+xml"],
                                  XMLOut.text("MemoryHotAddEnabled", vm.memoryHotAddEnabled == true ? "true" : "false")
                                  + XMLOut.text("CpuHotAddEnabled", vm.cpuHotAddEnabled == true ? "true" : "false"))
        content += XMLOut.element("StorageProfile", ["href": href(.storageProfile, vm.storageProfile ?? "default"), "name": "*",
                                                     "type": "application/vnd.vmware.vcloud.vdcStorageProfile+xml"])
        return withNamespaces ? root("Vm", attributes, content) : XMLOut.element("Vm", attributes, content)
    }

    func hardwareSection(_ vm: SimVM, admin: Bool) -> String {
        var items = ""
        if vm.network != nil {
            let ip = vm.ipAddress ?? ""
            items += "<ovf:Item>" + XMLOut.text("rasd:Address", vm.mac) + XMLOut.text("rasd:AddressOnParent", "0")
                + XMLOut.text("rasd:AutomaticAllocation", "true")
                + "<rasd:Connection vcloud:ipAddressingMode=\"\(vm.ipMode)\" vcloud:ipAddress=\"\(XMLOut.escape(ip))\" vcloud:primaryNetworkConnection=\"true\" xmlns:vcloud=\"http://www.vmware.com/vcloud/v1.5\">\(XMLOut.escape(vm.network ?? ""))</rasd:Connection>"
                + XMLOut.text("rasd:ElementName", "Network adapter 0") + XMLOut.text("rasd:InstanceID", "1")
                + XMLOut.text("rasd:ResourceSubType", "VMXNET3") + XMLOut.text("rasd:ResourceType", "10") + "</ovf:Item>"
        }
        items += cpuItem(vm) + memoryItem(vm)
        items += "<ovf:Item>" + XMLOut.text("rasd:ElementName", "Hard disk 1") + XMLOut.text("rasd:HostResource", String(vm.diskMB))
            + XMLOut.text("rasd:InstanceID", "2000") + XMLOut.text("rasd:ResourceType", "17") + XMLOut.text("rasd:VirtualQuantity", String(vm.diskMB * 1_048_576))
            + "</ovf:Item>"
        // Extra config (guestinfo.*) is what a guest's `vmtoolsd --cmd "info-set ..."` shows through vCD.
        let extra = vm.extraConfig.sorted { $0.key < $1.key }.map { entry in
            "<vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"\(XMLOut.escape(entry.key))\" vmw:value=\"\(XMLOut.escape(entry.value))\"/>"
        }.joined()
        return "<ovf:VirtualHardwareSection ovf:transport=\"\" xmlns:vcloud=\"http://www.vmware.com/vcloud/v1.5\" vcloud:href=\"\(href(.vm, vm.id))/virtualHardwareSection/\" vcloud:type=\"application/vnd.vmware.vcloud.virtualHardwareSection+xml\">"
            + "<ovf:Info>Virtual hardware requirements</ovf:Info>" + items + extra
            + XMLOut.link(rel: "edit", href: href(.vm, vm.id) + "/virtualHardwareSection/cpu", type: "application/vnd.vmware.vcloud.rasdItem+xml")
            + XMLOut.link(rel: "edit", href: href(.vm, vm.id) + "/virtualHardwareSection/memory", type: "application/vnd.vmware.vcloud.rasdItem+xml")
            + "</ovf:VirtualHardwareSection>"
    }

    func cpuItem(_ vm: SimVM, asRoot: Bool = false) -> String {
        rasdItem(asRoot: asRoot, href: href(.vm, vm.id) + "/virtualHardwareSection/cpu", units: "hertz * 10^6", description: "Number of Virtual CPUs",
                 name: "\(vm.cpu) virtual CPU(s)", instanceID: 4, type: 3, quantity: vm.cpu)
    }

    func memoryItem(_ vm: SimVM, asRoot: Bool = false) -> String {
        rasdItem(asRoot: asRoot, href: href(.vm, vm.id) + "/virtualHardwareSection/memory", units: "byte * 2^20", description: "Memory Size",
                 name: "\(vm.memoryMB) MB of memory", instanceID: 5, type: 4, quantity: vm.memoryMB)
    }

    /// Inside a VirtualHardwareSection an item is `ovf:Item`; on its own (GET .../virtualHardwareSection/cpu) it is
    /// `{http://www.vmware.com/vcloud/v1.5}Item`, the only global element of the rasdItem media type (vApp.xsd).
    private func rasdItem(asRoot: Bool, href: String, units: String, description: String, name: String, instanceID: Int, type: Int, quantity: Int) -> String {
        let element = asRoot ? "Item" : "ovf:Item"
        let namespaces = asRoot ? " xmlns=\"http://www.vmware.com/vcloud/v1.5\" xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"" : ""
        return "<\(element)\(namespaces) xmlns:vcloud=\"http://www.vmware.com/vcloud/v1.5\" vcloud:href=\"\(href)\" vcloud:type=\"application/vnd.vmware.vcloud.rasdItem+xml\">"
            + XMLOut.text("rasd:AllocationUnits", units) + XMLOut.text("rasd:Description", description) + XMLOut.text("rasd:ElementName", name)
            + XMLOut.text("rasd:InstanceID", String(instanceID)) + XMLOut.text("rasd:Reservation", "0") + XMLOut.text("rasd:ResourceType", String(type))
            + XMLOut.text("rasd:VirtualQuantity", String(quantity)) + XMLOut.text("rasd:Weight", "0")
            + XMLOut.link(rel: "edit", href: href, type: "application/vnd.vmware.vcloud.rasdItem+xml") + "</\(element)>"
    }

    func networkConnectionSection(_ vm: SimVM) -> String {
        var content = "<ovf:Info>Specifies the available VM network connections</ovf:Info>" + XMLOut.text("PrimaryNetworkConnectionIndex", "0")
        if let network = vm.network {
            content += XMLOut.element("NetworkConnection", ["needsCustomization": "false", "network": network],
                XMLOut.text("NetworkConnectionIndex", "0") + (vm.ipAddress.map { XMLOut.text("IpAddress", $0) } ?? "")
                + XMLOut.text("IsConnected", "true") + XMLOut.text("MACAddress", vm.mac) + XMLOut.text("IpAddressAllocationMode", vm.ipMode)
                + XMLOut.text("NetworkAdapterType", "VMXNET3"))
        }
        return XMLOut.element("NetworkConnectionSection", ["href": href(.vm, vm.id) + "/networkConnectionSection/",
                                                           "type": "application/vnd.vmware.vcloud.networkConnectionSection+xml", "ovf:required": "false"], content)
    }

    func guestCustomization(_ vm: SimVM, href vmHref: String, asRoot: Bool = false) -> String {
        let content = "<ovf:Info>Specifies Guest OS Customization Settings</ovf:Info>" + XMLOut.text("Enabled", "true")
            + XMLOut.text("ChangeSid", "false") + XMLOut.text("VirtualMachineId", vm.id) + XMLOut.text("JoinDomainEnabled", "false")
            + XMLOut.text("AdminPasswordEnabled", "true") + XMLOut.text("AdminPasswordAuto", "true") + XMLOut.text("AdminPassword", vm.adminPassword)
            + XMLOut.text("ResetPasswordRequired", "false") + (vm.customizationScript.map { XMLOut.text("CustomizationScript", $0) } ?? "")
            + XMLOut.text("ComputerName", vm.computerName)
        let attributes: KeyValuePairs<String, String?> = ["href": vmHref + "/guestCustomizationSection/", "type": "application/vnd.vmware.vcloud.guestCustomizationSection+xml", "ovf:required": "false"]
        return asRoot ? root("GuestCustomizationSection", attributes, content) : XMLOut.element("GuestCustomizationSection", attributes, content)
    }
}
