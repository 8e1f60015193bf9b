import Foundation

/// GETs of the inventory: orgs, vdcs, networks, catalogs, items, templates, vApps and VMs.
extension Simulator {
    func orgList(_ caller: SimCaller) -> SimResponse {
        let r = render()
        let orgs = state.orgs.values.filter { caller.isSystemAdministrator || $0.id == caller.org.id }.sorted { $0.name < $1.name }
        let content = orgs.map { XMLOut.element("Org", ["href": r.href(.org, $0.id), "name": $0.name, "type": "application/vnd.vmware.vcloud.org+xml"]) }.joined()
        return .xml(200, r.root("OrgList", ["href": baseURL + "/api/org", "type": "application/vnd.vmware.vcloud.orgList+xml"], content),
                    type: "application/vnd.vmware.vcloud.orgList+xml")
    }

    func orgDocument(_ id: String, caller: SimCaller, version: String? = nil) throws -> SimResponse {
        guard let org = state.orgs[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.org:\(id)\".") }
        try require(caller, canSee: org.id)
        let r = render()
        var links = ""
        for vdc in state.vdcs.values.filter({ $0.org == id }).sorted(by: { $0.name < $1.name }) {
            links += XMLOut.link(rel: "down", href: r.href(.vdc, vdc.id), type: "application/vnd.vmware.vcloud.vdc+xml", name: vdc.name)
        }
        links += XMLOut.link(rel: "down", href: r.href(.tasksList, id), type: "application/vnd.vmware.vcloud.tasksList+xml")
        for catalog in state.catalogs.values.filter({ $0.org == id }).sorted(by: { $0.name < $1.name }) {
            links += XMLOut.link(rel: "down", href: r.href(.catalog, catalog.id), type: "application/vnd.vmware.vcloud.catalog+xml", name: catalog.name)
        }
        for network in state.networks.values.filter({ $0.org == id }).sorted(by: { $0.name < $1.name }) {
            links += XMLOut.link(rel: "down", href: r.href(.network, network.id), type: "application/vnd.vmware.vcloud.orgNetwork+xml", name: network.name)
        }
        links += XMLOut.link(rel: "down", href: r.href(.org, id) + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
        if SimReleaseProfile.atLeast(version ?? profile.newest, "33.0") {
            // From API 33.0 on, pyvcloud 23.0.4 (Org.list_vdcs, get_vdc, list_catalogs, get_catalog) finds an org's vdcs and
            // catalogs through rel="down" links of type query.records+xml whose href names the record type, and reads
            // name and href from the records. The href's exact shape on real vCD is not documented; this one is a
            // query the query service answers.
            for type in ["orgVdc", "catalog"] {
                let query = Self.encodeQuery(["type": type, "format": "records", "filter": "org==" + r.href(.org, id)])
                links += XMLOut.link(rel: "down", href: baseURL + "/api/query?" + query, type: "application/vnd.vmware.vcloud.query.records+xml", name: type)
            }
        }
        let content = links + XMLOut.text("Description", org.fullName) + XMLOut.text("FullName", org.fullName)
        return .xml(200, r.root("Org", ["name": org.name, "id": "urn:vcloud:org:\(org.id)", "href": r.href(.org, org.id), "type": "application/vnd.vmware.vcloud.org+xml"], content),
                    type: "application/vnd.vmware.vcloud.org+xml")
    }

    func vdcDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        guard let vdc = state.vdcs[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vdc:\(id)\".") }
        try require(caller, canSee: vdc.org)
        let r = render()
        let vdcHref = r.href(.vdc, id)
        var content = XMLOut.link(rel: "up", href: r.href(.org, vdc.org), type: "application/vnd.vmware.vcloud.org+xml")
            + XMLOut.link(rel: "add", href: vdcHref + "/action/composeVApp", type: "application/vnd.vmware.vcloud.composeVAppParams+xml")
            + XMLOut.link(rel: "add", href: vdcHref + "/action/instantiateVAppTemplate", type: "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml")
            + XMLOut.link(rel: "down", href: vdcHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
        content += XMLOut.text("Description", "") + XMLOut.text("AllocationModel", "AllocationVApp")
        content += "<ComputeCapacity><Cpu>" + XMLOut.text("Units", "MHz") + XMLOut.text("Allocated", "0") + XMLOut.text("Limit", String(vdc.cpuLimitMHz))
            + "</Cpu><Memory>" + XMLOut.text("Units", "MB") + XMLOut.text("Allocated", "0") + XMLOut.text("Limit", String(vdc.memoryLimitMB)) + "</Memory></ComputeCapacity>"
        let vApps = state.vApps.values.filter { $0.vdc == id }.sorted { $0.name < $1.name }
        let templates = state.templates.values.filter { $0.vdc == id }.sorted { $0.name < $1.name }
        content += "<ResourceEntities>"
            + vApps.map { XMLOut.element("ResourceEntity", ["href": r.href(.vApp, $0.id), "name": $0.name, "type": "application/vnd.vmware.vcloud.vApp+xml"]) }.joined()
            + templates.map { XMLOut.element("ResourceEntity", ["href": r.href(.vAppTemplate, $0.id), "name": $0.name, "type": "application/vnd.vmware.vcloud.vAppTemplate+xml"]) }.joined()
            + "</ResourceEntities>"
        content += "<AvailableNetworks>" + state.networks.values.filter { $0.vdc == id }.sorted { $0.name < $1.name }.map {
            XMLOut.element("Network", ["href": r.href(.network, $0.id), "name": $0.name, "type": "application/vnd.vmware.vcloud.network+xml"])
        }.joined() + "</AvailableNetworks>"
        content += XMLOut.text("NicQuota", "0") + XMLOut.text("NetworkQuota", "20") + XMLOut.text("VmQuota", "0") + XMLOut.text("IsEnabled", "true")
        content += "<VdcStorageProfiles>" + vdc.storageProfiles.map {
            XMLOut.element("VdcStorageProfile", ["href": r.href(.storageProfile, $0.id), "name": $0.name, "type": "application/vnd.vmware.vcloud.vdcStorageProfile+xml"])
        }.joined() + "</VdcStorageProfiles>"
        return .xml(200, r.root("Vdc", ["status": "1", "name": vdc.name, "id": "urn:vcloud:vdc:\(id)", "href": vdcHref, "type": "application/vnd.vmware.vcloud.vdc+xml"], content),
                    type: "application/vnd.vmware.vcloud.vdc+xml")
    }

    func networkDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        guard let network = state.networks[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.network:\(id)\".") }
        try require(caller, canSee: network.org)
        let r = render()
        let content = XMLOut.link(rel: "up", href: r.href(.vdc, network.vdc), type: "application/vnd.vmware.vcloud.vdc+xml")
            + XMLOut.text("Description", "") + "<Configuration><IpScopes><IpScope>" + XMLOut.text("IsInherited", "false")
            + XMLOut.text("Gateway", network.gateway) + XMLOut.text("Netmask", network.netmask) + XMLOut.text("IsEnabled", "true")
            + "<IpRanges><IpRange>" + XMLOut.text("StartAddress", network.poolStart) + XMLOut.text("EndAddress", network.poolEnd) + "</IpRange></IpRanges>"
            + "<AllocatedIpAddresses>" + network.allocated.keys.sorted().map { XMLOut.text("IpAddress", $0) }.joined() + "</AllocatedIpAddresses>"
            + "</IpScope></IpScopes>" + XMLOut.text("FenceMode", "bridged") + "</Configuration>" + XMLOut.text("IsShared", "false")
        return .xml(200, r.root("OrgVdcNetwork", ["name": network.name, "id": "urn:vcloud:network:\(id)", "href": r.href(.network, id), "type": "application/vnd.vmware.vcloud.orgNetwork+xml"], content),
                    type: "application/vnd.vmware.vcloud.orgNetwork+xml")
    }

    func catalogDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        guard let catalog = state.catalogs[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.catalog:\(id)\".") }
        try require(caller, canSee: catalog.org)
        let r = render()
        let catalogHref = r.href(.catalog, id)
        var content = XMLOut.link(rel: "up", href: r.href(.org, catalog.org), type: "application/vnd.vmware.vcloud.org+xml")
            + XMLOut.link(rel: "add", href: catalogHref + "/catalogItems", type: "application/vnd.vmware.vcloud.catalogItem+xml")
            + XMLOut.link(rel: "add", href: catalogHref + "/action/upload", type: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml")
            + XMLOut.link(rel: "add", href: catalogHref + "/action/captureVApp", type: "application/vnd.vmware.vcloud.captureVAppParams+xml")
            + XMLOut.link(rel: "down", href: catalogHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
        content += XMLOut.text("Description", "")
        content += "<CatalogItems>" + state.catalogItems.values.filter { $0.catalog == id }.sorted { $0.name < $1.name }.map {
            XMLOut.element("CatalogItem", ["href": r.href(.catalogItem, $0.id), "id": $0.id, "name": $0.name, "type": "application/vnd.vmware.vcloud.catalogItem+xml"])
        }.joined() + "</CatalogItems>"
        content += XMLOut.text("IsPublished", catalog.published == true ? "true" : "false")
        return .xml(200, r.root("Catalog", ["name": catalog.name, "id": "urn:vcloud:catalog:\(id)", "href": catalogHref, "type": "application/vnd.vmware.vcloud.catalog+xml"], content),
                    type: "application/vnd.vmware.vcloud.catalog+xml")
    }

    func catalogItemDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        guard let item = state.catalogItems[id], let catalog = state.catalogs[item.catalog] else {
            throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.catalogItem:\(id)\".")
        }
        try require(caller, canSee: catalog.org)
        let r = render()
        let itemHref = r.href(.catalogItem, id)
        let content = XMLOut.link(rel: "up", href: r.href(.catalog, catalog.id), type: "application/vnd.vmware.vcloud.catalog+xml")
            + XMLOut.link(rel: "down", href: itemHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
            + XMLOut.link(rel: "remove", href: itemHref)
            + XMLOut.text("Description", item.description)
            + XMLOut.element("Entity", ["href": r.href(.vAppTemplate, item.template), "name": item.name, "type": "application/vnd.vmware.vcloud.vAppTemplate+xml"])
            + XMLOut.text("DateCreated", r.iso(item.createdAt))
        return .xml(200, r.root("CatalogItem", ["size": "0", "name": item.name, "id": "urn:vcloud:catalogitem:\(id)", "href": itemHref, "type": "application/vnd.vmware.vcloud.catalogItem+xml"], content),
                    type: "application/vnd.vmware.vcloud.catalogItem+xml")
    }

    func vAppTemplateDocument(_ ref: String, caller: SimCaller) throws -> SimResponse {
        let r = render()
        if ref.hasPrefix("vm-") {
            guard let (template, vm) = state.templateVM(String(ref.dropFirst(3))) else { throw SimFault.notFound("no such template VM \(ref)") }
            try require(caller, canSee: template.org)
            return .xml(200, templateVM(vm, template: template, r: r, asRoot: true), type: "application/vnd.vmware.vcloud.vm+xml")
        }
        let id = ref.hasPrefix("vappTemplate-") ? String(ref.dropFirst("vappTemplate-".count)) : ref
        revealUploadFiles(id, now: Date())
        guard let template = state.templates[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vAppTemplate:\(id)\".") }
        try require(caller, canSee: template.org)
        let templateHref = r.href(.vAppTemplate, id)
        var content = XMLOut.link(rel: "catalogItem", href: r.href(.catalogItem, template.catalogItem), type: "application/vnd.vmware.vcloud.catalogItem+xml")
            + XMLOut.link(rel: "down", href: templateHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
        if !template.uploadFiles.isEmpty {
            // Every file stays listed with what arrived of it (complete ones with their SHA-1); while the upload runs,
            // each keeps its upload link.
            content += "<Files>" + template.uploadFiles.map { file in
                XMLOut.element("File", ["size": String(file.size), "bytesTransferred": String(file.bytesTransferred), "checksum": file.sha1, "name": file.name],
                               template.status == 0 ? XMLOut.link(rel: "upload:default", href: baseURL + "/transfer/\(id)/\(file.name)") : "")
            }.joined() + "</Files>"
        }
        content += XMLOut.text("Description", "") + r.runningTasks(on: id)
        content += "<Children>" + template.vms.map { templateVM($0, template: template, r: r, asRoot: false) }.joined() + "</Children>"
        content += "<ovf:NetworkSection><ovf:Info>The list of logical networks</ovf:Info><ovf:Network ovf:name=\"none\"><ovf:Description>This is a special place-holder used for disconnected network interfaces.</ovf:Description></ovf:Network></ovf:NetworkSection>"
        content += XMLOut.text("DateCreated", r.iso(Date()))
        return .xml(200, r.root("VAppTemplate", ["ovfDescriptorUploaded": "true", "goldMaster": "false", "status": String(template.status), "name": template.name,
                                                 "id": "urn:vcloud:vapptemplate:\(id)", "href": templateHref, "type": "application/vnd.vmware.vcloud.vAppTemplate+xml"], content),
                    type: "application/vnd.vmware.vcloud.vAppTemplate+xml")
    }

    private func templateVM(_ vm: SimTemplateVM, template: SimTemplate, r: SimRender, asRoot: Bool) -> String {
        let vmHref = r.href(.templateVM, vm.id)
        let attributes: KeyValuePairs<String, String?> = ["goldMaster": "false", "status": "8", "name": vm.name, "id": "urn:vcloud:vm:\(vm.id)",
                                                          "href": vmHref, "type": "application/vnd.vmware.vcloud.vm+xml"]
        let content = XMLOut.link(rel: "up", href: r.href(.vAppTemplate, template.id), type: "application/vnd.vmware.vcloud.vAppTemplate+xml")
            + XMLOut.text("Description", "")
            + "<NetworkConnectionSection ovf:required=\"false\"><ovf:Info>Network connections</ovf:Info>" + XMLOut.text("PrimaryNetworkConnectionIndex", "0") + "</NetworkConnectionSection>"
            + "<ovf:VirtualHardwareSection><ovf:Info>Virtual hardware requirements</ovf:Info>"
            + "<ovf:Item>" + XMLOut.text("rasd:ElementName", "\(vm.cpu) virtual CPU(s)") + XMLOut.text("rasd:InstanceID", "4")
            + XMLOut.text("rasd:ResourceType", "3") + XMLOut.text("rasd:VirtualQuantity", String(vm.cpu)) + "</ovf:Item>"
            + "<ovf:Item>" + XMLOut.text("rasd:ElementName", "\(vm.memoryMB) MB of memory") + XMLOut.text("rasd:InstanceID", "5")
            + XMLOut.text("rasd:ResourceType", "4") + XMLOut.text("rasd:VirtualQuantity", String(vm.memoryMB)) + "</ovf:Item>"
            + "<ovf:Item>" + XMLOut.text("rasd:ElementName", "Hard disk 1") + XMLOut.text("rasd:InstanceID", "2000")
            + XMLOut.text("rasd:ResourceType", "17") + XMLOut.text("rasd:VirtualQuantity", String(vm.diskMB * 1_048_576)) + "</ovf:Item>"
            + "</ovf:VirtualHardwareSection>"
            + "<VmSpecSection Modified=\"false\"><ovf:Info>Virtual hardware</ovf:Info>" + XMLOut.text("OsType", vm.osType) + XMLOut.text("NumCpus", String(vm.cpu))
            + "<MemoryResourceMb>" + XMLOut.text("Configured", String(vm.memoryMB)) + "</MemoryResourceMb></VmSpecSection>"
        return asRoot ? r.root("Vm", attributes, content) : XMLOut.element("Vm", attributes, content)
    }

    func vAppOrVMDocument(_ ref: String, caller: SimCaller) throws -> SimResponse {
        let r = render()
        if ref.hasPrefix("vm-") {
            let vm = try vm(ref, caller: caller)
            return .xml(200, r.vm(vm, withNamespaces: true, admin: caller.isSystemAdministrator), type: "application/vnd.vmware.vcloud.vm+xml")
        }
        let vApp = try vApp(ref, caller: caller)
        let vAppHref = r.href(.vApp, vApp.id)
        let status = state.status(ofVApp: vApp)
        var links = XMLOut.link(rel: "up", href: r.href(.vdc, vApp.vdc), type: "application/vnd.vmware.vcloud.vdc+xml")
            + XMLOut.link(rel: "down", href: vAppHref + "/metadata", type: "application/vnd.vmware.vcloud.metadata+xml")
            + XMLOut.link(rel: "recompose", href: vAppHref + "/action/recomposeVApp", type: "application/vnd.vmware.vcloud.recomposeVAppParams+xml")
            + XMLOut.link(rel: "power:powerOn", href: vAppHref + "/power/action/powerOn")
            + XMLOut.link(rel: "deploy", href: vAppHref + "/action/deploy", type: "application/vnd.vmware.vcloud.deployVAppParams+xml")
        if status == 4 || status == 10 || vApp.deployed {
            links += XMLOut.link(rel: "power:powerOff", href: vAppHref + "/power/action/powerOff")
                + XMLOut.link(rel: "power:shutdown", href: vAppHref + "/power/action/shutdown")
                + XMLOut.link(rel: "undeploy", href: vAppHref + "/action/undeploy", type: "application/vnd.vmware.vcloud.undeployVAppParams+xml")
        } else {
            links += XMLOut.link(rel: "remove", href: vAppHref)
        }
        var content = links + XMLOut.text("Description", vApp.description) + r.runningTasks(on: vApp.id)
        content += "<NetworkConfigSection><ovf:Info>The configuration parameters for logical networks</ovf:Info>" + vApp.networks.map { config in
            XMLOut.element("NetworkConfig", ["networkName": config.name],
                XMLOut.text("Description", "") + "<Configuration>"
                + XMLOut.element("ParentNetwork", ["href": r.href(.network, config.parentNetwork), "name": state.networks[config.parentNetwork]?.name ?? config.name])
                + XMLOut.text("FenceMode", "bridged") + "</Configuration>" + XMLOut.text("IsDeployed", vApp.deployed ? "true" : "false"))
        }.joined() + "</NetworkConfigSection>"
        content += XMLOut.element("Owner", ["type": "application/vnd.vmware.vcloud.owner+xml"],
                                  XMLOut.element("User", ["href": r.href(.user, vApp.owner), "name": state.users[vApp.owner]?.name ?? "", "type": "application/vnd.vmware.admin.user+xml"]))
        content += XMLOut.text("InMaintenanceMode", "false")
        let vms = state.vmsOf(vApp: vApp.id)
        if !vms.isEmpty { content += "<Children>" + vms.map { r.vm($0, withNamespaces: false, admin: caller.isSystemAdministrator) }.joined() + "</Children>" }
        content += XMLOut.text("DateCreated", r.iso(vApp.createdAt))
        return .xml(200, r.root("VApp", ["ovfDescriptorUploaded": "true", "deployed": vApp.deployed ? "true" : "false", "status": String(status), "name": vApp.name,
                                         "id": "urn:vcloud:vapp:\(vApp.id)", "href": vAppHref, "type": "application/vnd.vmware.vcloud.vApp+xml"], content),
                    type: "application/vnd.vmware.vcloud.vApp+xml")
    }

    func hardwareItem(_ ref: String, item: String, caller: SimCaller) throws -> SimResponse {
        let vm = try vm(ref, caller: caller)
        let r = render()
        switch item {
        case "cpu": return .xml(200, r.cpuItem(vm, asRoot: true), type: "application/vnd.vmware.vcloud.rasdItem+xml")
        case "memory": return .xml(200, r.memoryItem(vm, asRoot: true), type: "application/vnd.vmware.vcloud.rasdItem+xml")
        default: throw SimFault.notFound("no hardware item \(item)")
        }
    }

    func guestCustomizationSection(_ ref: String, caller: SimCaller) throws -> SimResponse {
        let vm = try vm(ref, caller: caller)
        let r = render()
        return .xml(200, r.guestCustomization(vm, href: r.href(.vm, vm.id), asRoot: true), type: "application/vnd.vmware.vcloud.guestCustomizationSection+xml")
    }

    /// `GET /vApp/{vm-id}/vmCapabilities` (VmCapabilitiesType, API 5.1+): the VM's hot-add flags.
    func vmCapabilities(_ ref: String, caller: SimCaller) throws -> SimResponse {
        let vm = try vm(ref, caller: caller)
        let r = render()
        return .xml(200, r.root("VmCapabilities", ["href": r.href(.vm, vm.id) + "/vmCapabilities/", "type": "application/vnd.vmware.vcloud.vmCapabilitiesSection+xml"],
                                XMLOut.text("MemoryHotAddEnabled", vm.memoryHotAddEnabled == true ? "true" : "false")
                                + XMLOut.text("CpuHotAddEnabled", vm.cpuHotAddEnabled == true ? "true" : "false")),
                    type: "application/vnd.vmware.vcloud.vmCapabilitiesSection+xml")
    }

    /// `GET /vApp/{vm-id}/guestcustomizationstatus` (API 13.0+, vApp.xsd GuestCustomizationStatusSectionType): GC_PENDING
    /// until the first power-on runs the customization, POST_GC_PENDING while the guest boots into it, then GC_COMPLETE.
    func guestCustomizationStatus(_ ref: String, caller: SimCaller, now: Date) throws -> SimResponse {
        let vm = try vm(ref, caller: caller)
        let status: String
        if let poweredOn = vm.firstPoweredOnAt {
            status = now < poweredOn.addingTimeInterval(options.bootSeconds) ? "POST_GC_PENDING" : "GC_COMPLETE"
        } else {
            status = "GC_PENDING"
        }
        let r = render()
        let href = r.href(.vm, vm.id) + "/guestcustomizationstatus/"
        return .xml(200, r.root("GuestCustomizationStatusSection", ["href": href, "type": "application/vnd.vmware.vcloud.guestCustomizationStatusSection+xml"],
                                "<ovf:Info>Guest customization status</ovf:Info>" + XMLOut.text("GuestCustStatus", status)),
                    type: "application/vnd.vmware.vcloud.guestCustomizationStatusSection+xml")
    }

    // MARK: lookups with access checks

    func vApp(_ ref: String, caller: SimCaller) throws -> SimVApp {
        let id = ref.hasPrefix("vapp-") ? String(ref.dropFirst(5)) : ref
        guard let vApp = state.vApps[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vapp:\(id)\".") }
        try require(caller, canSee: vApp.org)
        return vApp
    }

    func vm(_ ref: String, caller: SimCaller) throws -> SimVM {
        let id = ref.hasPrefix("vm-") ? String(ref.dropFirst(3)) : ref
        guard let vm = state.vms[id] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.vm:\(id)\".") }
        try require(caller, canSee: vm.org)
        return vm
    }
}
