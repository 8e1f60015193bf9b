import Foundation

/// `<entity>/metadata[/KEY]`: read, add, set and remove string metadata (domain GENERAL), each change a task.
extension Simulator {
    private struct MetadataOwner {
        var kind: SimEntityKind
        var id: String
        var org: String
        var name: String
    }

    func metadataRoute(_ request: SimRequest, entityParts: [String], key: String?, caller: SimCaller, now: Date) throws -> SimResponse {
        let owner = try metadataOwner(entityParts, caller: caller)
        let r = render()
        let entityHref = r.href(of: owner.kind, owner.id)
        let entries = state.metadata[owner.id] ?? [:]
        let decodedKey = key.map { $0.removingPercentEncoding ?? $0 }
        switch (request.method, decodedKey) {
        case ("GET", nil):
            return .xml(200, r.metadata(entityHref: entityHref, entries: entries), type: "application/vnd.vmware.vcloud.metadata+xml")
        case ("GET", let key?):
            guard let value = entries[key] else { throw SimFault.notFound("no metadata entry \(key)") }
            return .xml(200, r.root("MetadataValue", ["type": "application/vnd.vmware.vcloud.metadata.value+xml"],
                                    XMLOut.element("Domain", ["visibility": "READWRITE"], "GENERAL")
                                    + "<TypedValue xsi:type=\"MetadataStringValue\">" + XMLOut.text("Value", value) + "</TypedValue>"),
                        type: "application/vnd.vmware.vcloud.metadata.value+xml")
        case ("POST", nil):
            let body = try parseBody(request)
            guard body.name == "Metadata" else { throw SimFault.badRequest("expected a Metadata document, got \(body.name)") }
            var set: [String: String] = [:]
            for entry in body.all("MetadataEntry") {
                guard let key = entry.first("Key")?.text, !key.isEmpty else { throw SimFault.badRequest("a MetadataEntry needs a Key") }
                set[key] = entry.path("TypedValue", "Value")?.text ?? ""
            }
            return try metadataTask(owner, set: set, remove: [], caller: caller, now: now, request: request)
        case ("PUT", let key?):
            let body = try parseBody(request)
            guard let value = body.path("TypedValue", "Value")?.text else { throw SimFault.badRequest("expected a MetadataValue with TypedValue/Value") }
            return try metadataTask(owner, set: [key: value], remove: [], caller: caller, now: now, request: request)
        case ("DELETE", let key?):
            guard entries[key] != nil else { throw SimFault.notFound("no metadata entry \(key)") }
            return try metadataTask(owner, set: [:], remove: [key], caller: caller, now: now, request: request)
        default:
            throw SimFault.methodNotAllowed("method \(request.method) is not supported on \(request.path)")
        }
    }

    private func metadataTask(_ owner: MetadataOwner, set: [String: String], remove: [String], caller: SimCaller, now: Date, request: SimRequest) throws -> SimResponse {
        let task = try startTask(operation: "metadataUpdate", name: "Updating metadata of \(owner.name)", org: owner.org, caller: caller,
                                 object: (owner.kind, owner.id, owner.name), effect: .metadata(entity: owner.id, set: set, remove: remove),
                                 now: now, method: request.method, path: request.path)
        return taskResponse(task)
    }

    private func metadataOwner(_ parts: [String], caller: SimCaller) throws -> MetadataOwner {
        let parts = parts.first == "admin" ? Array(parts.dropFirst()) : parts
        guard parts.count == 2 else { throw SimFault.notFound("no such resource") }
        let ref = parts[1]
        switch parts[0] {
        case "vApp" where ref.hasPrefix("vm-"):
            let vm = try vm(ref, caller: caller)
            return MetadataOwner(kind: .vm, id: vm.id, org: vm.org, name: vm.name)
        case "vApp":
            let vApp = try vApp(ref, caller: caller)
            return MetadataOwner(kind: .vApp, id: vApp.id, org: vApp.org, name: vApp.name)
        case "catalogItem":
            guard let item = state.catalogItems[ref], let catalog = state.catalogs[item.catalog] else { throw SimFault.forbidden("No access to entity \(ref).") }
            try require(caller, canSee: catalog.org)
            return MetadataOwner(kind: .catalogItem, id: item.id, org: catalog.org, name: item.name)
        case "vAppTemplate":
            let id = ref.hasPrefix("vappTemplate-") ? String(ref.dropFirst("vappTemplate-".count)) : ref
            guard let template = state.templates[id] else { throw SimFault.forbidden("No access to entity \(ref).") }
            try require(caller, canSee: template.org)
            return MetadataOwner(kind: .vAppTemplate, id: id, org: template.org, name: template.name)
        case "catalog":
            guard let catalog = state.catalogs[ref] else { throw SimFault.forbidden("No access to entity \(ref).") }
            try require(caller, canSee: catalog.org)
            return MetadataOwner(kind: .catalog, id: ref, org: catalog.org, name: catalog.name)
        case "vdc":
            guard let vdc = state.vdcs[ref] else { throw SimFault.forbidden("No access to entity \(ref).") }
            try require(caller, canSee: vdc.org)
            return MetadataOwner(kind: .vdc, id: ref, org: vdc.org, name: vdc.name)
        case "org":
            guard let org = state.orgs[ref] else { throw SimFault.forbidden("No access to entity \(ref).") }
            try require(caller, canSee: org.id)
            return MetadataOwner(kind: .org, id: ref, org: org.id, name: org.name)
        default:
            throw SimFault.notFound("metadata is not supported on \(parts[0])")
        }
    }
}
