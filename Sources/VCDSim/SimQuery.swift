import Foundation

/// `/api/query`: typed queries with filters, sorting, paging and metadata fields, in records, idrecords or
/// references format. Tenants see their org; `admin*` types are for system administrators.
extension Simulator {
    struct QueryRow {
        var attributes: [String: String]
        /// Whose metadata `metadata:KEY` fields read.
        var entityID: String
        var org: String
    }

    static let queryTypes: [String] = [
        "adminVApp", "vApp", "adminVM", "vm", "adminCatalogItem", "catalogItem", "adminTask", "task", "adminVAppTemplate", "vAppTemplate",
        "adminOrgVdcNetwork", "orgVdcNetwork", "organization", "adminOrgVdc", "orgVdc", "adminCatalog", "catalog", "adminService",
    ]

    func query(_ request: SimRequest, caller: SimCaller) throws -> SimResponse {
        let r = render()
        guard let type = request.query["type"] else {
            // The QueryList: one link per type and format, as vCD lists them.
            let links = Self.queryTypes.filter { caller.isSystemAdministrator || !$0.hasPrefix("admin") }.flatMap { type in
                ["records", "idrecords", "references"].map { format in
                    XMLOut.link(rel: "down", href: baseURL + "/api/query?type=\(type)&format=\(format)",
                                type: "application/vnd.vmware.vcloud.query.\(format)+xml", name: type)
                }
            }.joined()
            return .xml(200, r.root("QueryList", ["href": baseURL + "/api/query", "type": "application/vnd.vmware.vcloud.query.queryList+xml"], links),
                        type: "application/vnd.vmware.vcloud.query.queryList+xml")
        }
        guard Self.queryTypes.contains(type) else { throw SimFault.badRequest("Unsupported query type \(type)") }
        if type.hasPrefix("admin") { try requireSystemAdministrator(caller) }
        let format = request.query["format"] ?? "records"
        guard ["records", "idrecords", "references"].contains(format) else { throw SimFault.badRequest("Unsupported query format \(format)") }
        var rows = queryRows(type, r: r).filter { caller.isSystemAdministrator || $0.org == caller.org.id }
        if let filterText = request.query["filter"], !filterText.isEmpty {
            let filter = try QueryFilter.parse(filterText, encoded: request.query["filterEncoded"]?.lowercased() == "true")
            let admin = caller.isSystemAdministrator
            rows = rows.filter { row in filter.matches { field in value(of: field, in: row, systemAdministrator: admin) } }
        }
        if let field = request.query["sortAsc"] ?? request.query["sortDesc"] {
            let descending = request.query["sortAsc"] == nil
            rows.sort { left, right in
                let a = value(of: field, in: left, systemAdministrator: caller.isSystemAdministrator) ?? ""
                let b = value(of: field, in: right, systemAdministrator: caller.isSystemAdministrator) ?? ""
                let ascending = (Double(a).flatMap { x in Double(b).map { x < $0 } }) ?? (a < b)
                return descending ? (a != b && !ascending) : (a != b && ascending)
            }
        } else {
            rows.sort { ($0.attributes["name"] ?? "", $0.attributes["href"] ?? "") < ($1.attributes["name"] ?? "", $1.attributes["href"] ?? "") }
        }
        let pageSize = min(128, max(1, Int(request.query["pageSize"] ?? "") ?? 25))
        let page = max(1, Int(request.query["page"] ?? "") ?? 1)
        let lastPage = max(1, (rows.count + pageSize - 1) / pageSize)
        guard page <= lastPage else { throw SimFault.badRequest("The requested page \(page) is beyond the last page \(lastPage).") }
        let pageRows = rows.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let fields = request.query["fields"].map { $0.split(separator: ",").map(String.init) }
        for field in fields ?? [] { try Self.checkMetadataField(field) }
        // "Up to eight metadata parameters can be included in a query." (vCloud API Programming Guide)
        if let fields, fields.filter({ $0.hasPrefix("metadata") }).count > 8 {
            throw SimFault.badRequest("at most eight metadata fields in one query, got \(fields.filter { $0.hasPrefix("metadata") }.count)")
        }
        let recordName = Self.recordName(type)
        if let fields, let unknown = SimQueryFields.unknown(fields, record: recordName) {
            throw SimFault.badRequest("Bad request: query type \(type) has no field \(unknown) (\(recordName) in queryRecordView.xsd)")
        }
        var content = pageLinks(request, page: page, lastPage: lastPage, format: format)
        for row in pageRows {
            content += format == "references" ? reference(row, type: type)
                : record(row, name: recordName, fields: fields, idFormat: format == "idrecords", systemAdministrator: caller.isSystemAdministrator)
        }
        let rootName = format == "references" ? "QueryResultReferences" : "QueryResultRecords"
        let mediaType = "application/vnd.vmware.vcloud.query.\(format)+xml"
        return .xml(200, r.root(rootName, ["total": String(rows.count), "pageSize": String(pageSize), "page": String(page), "name": type,
                                           "href": baseURL + request.path + "?" + Self.encodeQuery(request.query), "type": mediaType], content),
                    type: mediaType)
    }

    /// A record's attribute, or a metadata field's value: `metadata:KEY` is the GENERAL domain, `metadata@SYSTEM:KEY`
    /// the SYSTEM one (vCloud API Programming Guide, "Add a Metadata Filter to a Query"), PRIVATE entries only for
    /// system administrators.
    private func value(of field: String, in row: QueryRow, systemAdministrator: Bool) -> String? {
        if field.hasPrefix(Self.generalField) { return state.generalMetadata(row.entityID)[String(field.dropFirst(Self.generalField.count))] }
        if field.hasPrefix(Self.systemField) {
            return state.systemValue(row.entityID, key: String(field.dropFirst(Self.systemField.count)), systemAdministrator: systemAdministrator)
        }
        return row.attributes[field]
    }

    static let generalField = "metadata:"
    static let systemField = "metadata@SYSTEM:"

    /// `metadata:KEY` and `metadata@SYSTEM:KEY` are the only metadata field forms; any other domain is refused.
    static func checkMetadataField(_ field: String) throws {
        guard field.hasPrefix("metadata") else { return }
        guard (field.hasPrefix(generalField) && field.count > generalField.count) || (field.hasPrefix(systemField) && field.count > systemField.count) else {
            throw SimFault.badRequest("metadata field '\(field)' is neither metadata:KEY nor metadata@SYSTEM:KEY")
        }
    }

    private func pageLinks(_ request: SimRequest, page: Int, lastPage: Int, format: String) -> String {
        func link(_ rel: String, _ number: Int) -> String {
            var query = request.query
            query["page"] = String(number)
            return XMLOut.link(rel: rel, href: baseURL + request.path + "?" + Self.encodeQuery(query), type: "application/vnd.vmware.vcloud.query.\(format)+xml")
        }
        var links = ""
        if page < lastPage { links += link("nextPage", page + 1) }
        if page > 1 { links += link("previousPage", page - 1) }
        links += link("firstPage", 1) + link("lastPage", lastPage)
        return links
    }

    static func encodeQuery(_ query: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return query.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    private func record(_ row: QueryRow, name: String, fields: [String]?, idFormat: Bool, systemAdministrator: Bool) -> String {
        var attributes = row.attributes
        if let fields {
            let wanted = Set(fields.filter { !$0.hasPrefix("metadata") } + ["href", "id"])
            attributes = attributes.filter { wanted.contains($0.key) }
        }
        if idFormat {
            attributes["id"] = "urn:vcloud:\(Self.urnKind(name)):\(row.entityID)"
            for key in ["vdc", "org", "container", "catalog", "entity"] {
                if let href = attributes[key], let id = href.split(separator: "/").last {
                    attributes[key] = "urn:vcloud:\(key == "container" ? "vapp" : key):" + String(id).replacingOccurrences(of: "vapp-", with: "")
                }
            }
        }
        let attributeText = attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(XMLOut.escape($0.value))\"" }.joined()
        let metadataFields = (fields ?? []).filter { $0.hasPrefix("metadata:") || $0.hasPrefix("metadata@") }
        guard !metadataFields.isEmpty else { return "<\(name)\(attributeText)/>" }
        let r = render()
        let entries = metadataFields.compactMap { field -> String? in
            guard let value = value(of: field, in: row, systemAdministrator: systemAdministrator) else { return nil }
            let system = field.hasPrefix(Self.systemField)
            let key = String(field.dropFirst(system ? Self.systemField.count : Self.generalField.count))
            let domain = system ? r.metadataDomain("SYSTEM", visibility: state.systemMetadata(row.entityID)[key]?.visibility ?? "READONLY")
                : r.metadataDomain("GENERAL", visibility: "READWRITE")
            return "<MetadataEntry>" + domain + XMLOut.text("Key", key) + r.typedValue(value) + "</MetadataEntry>"
        }.joined()
        return "<\(name)\(attributeText)><Metadata>\(entries)</Metadata></\(name)>"
    }

    private func reference(_ row: QueryRow, type: String) -> String {
        let name = Self.recordName(type).replacingOccurrences(of: "Record", with: "Reference").replacingOccurrences(of: "Admin", with: "")
        return XMLOut.element(name, ["type": row.attributes["type"], "name": row.attributes["name"], "id": "urn:vcloud:\(Self.urnKind(name)):\(row.entityID)",
                                     "href": row.attributes["href"]])
    }

    static func recordName(_ type: String) -> String {
        switch type {
        case "adminVApp": return "AdminVAppRecord"
        case "vApp": return "VAppRecord"
        case "adminVM": return "AdminVMRecord"
        case "vm": return "VMRecord"
        case "adminCatalogItem": return "AdminCatalogItemRecord"
        case "catalogItem": return "CatalogItemRecord"
        case "adminTask": return "AdminTaskRecord"
        case "task": return "TaskRecord"
        case "adminVAppTemplate": return "AdminVAppTemplateRecord"
        case "vAppTemplate": return "VAppTemplateRecord"
        case "adminOrgVdcNetwork": return "AdminOrgVdcNetworkRecord"
        case "orgVdcNetwork": return "OrgVdcNetworkRecord"
        case "organization": return "OrgRecord"
        case "adminOrgVdc": return "AdminVdcRecord"
        case "orgVdc": return "OrgVdcRecord"
        case "adminCatalog": return "AdminCatalogRecord"
        case "catalog": return "CatalogRecord"
        default: return "AdminServiceRecord"
        }
    }

    static func urnKind(_ name: String) -> String {
        let lower = name.lowercased()
        for (needle, kind) in [("vapptemplate", "vapptemplate"), ("vapp", "vapp"), ("vm", "vm"), ("catalogitem", "catalogitem"), ("catalog", "catalog"),
                               ("task", "task"), ("network", "network"), ("vdc", "vdc"), ("org", "org"), ("service", "service")] where lower.contains(needle) {
            return kind
        }
        return "entity"
    }

    private func queryRows(_ type: String, r: SimRender) -> [QueryRow] {
        let base = type.hasPrefix("admin") ? String(type.dropFirst(5)).prefix(1).lowercased() + String(type.dropFirst(6)) : type
        switch base {
        case "vApp":
            // Grouped once per query: a scan of all VMs and tasks per vApp made large queries quadratic.
            let vmsByVApp = Dictionary(grouping: state.vms.values, by: \.vApp)
            let busy = Set(state.tasks.values.filter { !$0.status.isFinished && !$0.isExtensionTask }.map(\.objectID))
            return state.vApps.values.map { vApp in
                let vdc = state.vdcs[vApp.vdc]
                let vms = vmsByVApp[vApp.id] ?? []
                // vCD totals the VMs' resources in the record (what `vcd vapp list` shows as CPUs, memory, storage).
                return QueryRow(attributes: [
                    "name": vApp.name, "href": r.href(.vApp, vApp.id), "vdc": r.href(.vdc, vApp.vdc), "vdcName": vdc?.name ?? "",
                    "org": r.href(.org, vApp.org), "ownerName": state.users[vApp.owner]?.name ?? "", "status": Self.statusName(state.status(ofVApp: vApp, vms: vms)),
                    "numberOfVMs": String(vms.count), "isDeployed": String(vApp.deployed), "isEnabled": "true",
                    "isExpired": "false", "isInMaintenanceMode": "false", "creationDate": r.iso(vApp.createdAt),
                    "numberOfCpus": String(vms.reduce(0) { $0 + $1.cpu }), "memoryAllocationMB": String(vms.reduce(0) { $0 + $1.memoryMB }),
                    "storageKB": String(vms.reduce(0) { $0 + $1.diskMB * 1024 }), "isBusy": String(busy.contains(vApp.id)),
                ], entityID: vApp.id, org: vApp.org)
            }
        case "vM", "vm":
            let vmRows = state.vms.values.map { vm in
                QueryRow(attributes: [
                    "name": vm.name, "href": r.href(.vm, vm.id), "container": r.href(.vApp, vm.vApp), "containerName": state.vApps[vm.vApp]?.name ?? "",
                    "vdc": r.href(.vdc, vm.vdc), "org": r.href(.org, vm.org), "status": Self.statusName(vm.status), "numberOfCpus": String(vm.cpu),
                    "memoryMB": String(vm.memoryMB), "ipAddress": vm.ipAddress ?? "", "isVAppTemplate": "false", "guestOs": vm.osType,
                    "networkName": vm.network ?? "", "isDeployed": String(vm.deployed),
                ], entityID: vm.id, org: vm.org)
            }
            let templateRows = state.templates.values.flatMap { template in
                template.vms.map { vm in
                    QueryRow(attributes: [
                        "name": vm.name, "href": r.href(.templateVM, vm.id), "container": r.href(.vAppTemplate, template.id), "containerName": template.name,
                        "org": r.href(.org, template.org), "status": "POWERED_OFF", "numberOfCpus": String(vm.cpu), "memoryMB": String(vm.memoryMB),
                        "isVAppTemplate": "true", "guestOs": vm.osType,
                    ], entityID: vm.id, org: template.org)
                }
            }
            return vmRows + templateRows
        case "catalogItem":
            return state.catalogItems.values.compactMap { item in
                guard let catalog = state.catalogs[item.catalog], let template = state.templates[item.template] else { return nil }
                return QueryRow(attributes: [
                    "name": item.name, "href": r.href(.catalogItem, item.id), "catalog": r.href(.catalog, catalog.id), "catalogName": catalog.name,
                    "entity": r.href(.vAppTemplate, template.id), "entityName": template.name, "entityType": "vapptemplate",
                    "status": template.status == 8 ? "RESOLVED" : "UNRESOLVED", "org": r.href(.org, catalog.org), "isPublished": catalog.published == true ? "true" : "false",
                    "creationDate": r.iso(item.createdAt), "ownerName": "system",
                ], entityID: item.id, org: catalog.org)
            }
        case "task":
            return state.tasks.values.map { task in
                QueryRow(attributes: [
                    "name": task.operationName, "href": r.href(.task, task.id), "status": task.status.rawValue, "operationFull": task.operationName,
                    "object": r.href(of: task.objectKind, task.objectID), "objectName": task.objectName, "objectType": task.objectKind.rawValue,
                    "org": r.href(.org, task.org), "orgName": state.orgs[task.org]?.name ?? "", "ownerName": state.users[task.user]?.name ?? "",
                    "startDate": r.iso(task.startedAt), "serviceNamespace": task.isExtensionTask ? "vcloud.cse" : "com.vmware.vcloud",
                ].merging(task.endedAt.map { ["endDate": r.iso($0)] } ?? [:]) { a, _ in a }, entityID: task.id, org: task.org)
            }
        case "vAppTemplate":
            return state.templates.values.map { template in
                let catalog = state.catalogItems[template.catalogItem].flatMap { state.catalogs[$0.catalog] }
                return QueryRow(attributes: [
                    "name": template.name, "href": r.href(.vAppTemplate, template.id), "catalogName": catalog?.name ?? "",
                    "org": r.href(.org, template.org), "status": template.status == 8 ? "RESOLVED" : "UNRESOLVED", "isExpired": "false",
                    "isPublished": "false", "isGoldMaster": "false",
                ], entityID: template.id, org: template.org)
            }
        case "orgVdcNetwork":
            return state.networks.values.map { network in
                QueryRow(attributes: [
                    "name": network.name, "href": r.href(.network, network.id), "vdc": r.href(.vdc, network.vdc), "vdcName": state.vdcs[network.vdc]?.name ?? "",
                    "defaultGateway": network.gateway, "netmask": network.netmask, "linkType": "1", "isShared": "false", "isBusy": "false",
                    "isIpScopeInherited": "false",
                ], entityID: network.id, org: network.org)
            }
        case "organization":
            return state.orgs.values.map { org in
                QueryRow(attributes: [
                    "name": org.name, "displayName": org.fullName, "href": r.href(.org, org.id), "isEnabled": "true",
                    "numberOfVdcs": String(state.vdcs.values.filter { $0.org == org.id }.count),
                    "numberOfCatalogs": String(state.catalogs.values.filter { $0.org == org.id }.count),
                    "numberOfVApps": String(state.vApps.values.filter { $0.org == org.id }.count),
                ], entityID: org.id, org: org.id)
            }
        case "orgVdc":
            return state.vdcs.values.map { vdc in
                QueryRow(attributes: [
                    "name": vdc.name, "href": r.href(.vdc, vdc.id), "org": r.href(.org, vdc.org), "orgName": state.orgs[vdc.org]?.name ?? "",
                    "isEnabled": "true", "numberOfVApps": String(state.vApps.values.filter { $0.vdc == vdc.id }.count), "providerVdcName": "sim-pvdc",
                    "cpuLimitMhz": String(vdc.cpuLimitMHz), "memoryLimitMB": String(vdc.memoryLimitMB),
                ], entityID: vdc.id, org: vdc.org)
            }
        case "catalog":
            return state.catalogs.values.map { catalog in
                QueryRow(attributes: [
                    "name": catalog.name, "href": r.href(.catalog, catalog.id), "orgName": state.orgs[catalog.org]?.name ?? "", "isPublished": catalog.published == true ? "true" : "false",
                    "isShared": "false", "ownerName": "system", "numberOfMedia": "0",
                    "numberOfVAppTemplates": String(state.catalogItems.values.filter { $0.catalog == catalog.id }.count),
                    "org": r.href(.org, catalog.org),
                ], entityID: catalog.id, org: catalog.org)
            }
        default:
            return state.extensions.values.map { service in
                QueryRow(attributes: [
                    "name": service.name, "namespace": service.namespace, "vendor": service.vendor, "enabled": String(service.enabled),
                    "exchange": service.exchange, "routingKey": service.routingKey, "priority": String(service.priority),
                    "isAuthorizationEnabled": String(service.isAuthorizationEnabled), "href": r.href(.extensionService, service.id),
                ], entityID: service.id, org: "")
            }
        }
    }

    static func statusName(_ code: Int) -> String {
        switch code {
        case 0: return "UNRESOLVED"
        case 1: return "RESOLVED"
        case 4: return "POWERED_ON"
        case 8: return "POWERED_OFF"
        case 10: return "MIXED"
        default: return "UNKNOWN"
        }
    }
}
