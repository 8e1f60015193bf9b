import Foundation

/// `<entity>/metadata`, `<entity>/metadata/KEY` and `<entity>/metadata/{GENERAL|SYSTEM}/KEY`: read, merge, set and
/// remove string metadata in vCD's two domains, each change a task. vCD's rules (vCloud API Programming Guide,
/// "Access Control for vCloud API Object Metadata"; pyvcloud's `MetadataDomain` notes; go-vcloud-director's
/// metadata tests):
/// - an entry without a Domain element is GENERAL, whose only visibility is READWRITE; whoever may use the entity
///   may change it;
/// - SYSTEM entries (visibility PRIVATE or READONLY) are created, changed and deleted only by a system
///   administrator: a tenant's attempt is refused with 403; PRIVATE ones are invisible to tenants;
/// - a key names one entry per domain; a missing entry answers 403 (pyvcloud: AccessForbiddenException).
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
        let path = try key.map(Self.metadataPath)
        switch (request.method, path) {
        case ("GET", nil):
            return .xml(200, r.metadata(entityHref: entityHref, general: state.generalMetadata(owner.id), system: visibleSystemMetadata(owner.id, caller)),
                        type: "application/vnd.vmware.vcloud.metadata+xml")
        case ("GET", let (domain, key)?):
            guard let (value, visibility) = visibleEntry(owner.id, domain: domain, key: key, caller: caller) else { throw Self.noEntry(key) }
            let mayChange = domain == SimMetadataChange.general || caller.isSystemAdministrator
            return .xml(200, r.metadataValue(entityHref: entityHref, domain: domain, key: key, value: value, visibility: visibility, mayChange: mayChange),
                        type: "application/vnd.vmware.vcloud.metadata.value+xml")
        case ("POST", nil):
            let body = try parseBody(request)
            guard body.name == "Metadata" else { throw SimFault.badRequest("expected a Metadata document, got \(body.name)") }
            var changes: [SimMetadataChange] = []
            for entry in body.all("MetadataEntry") {
                guard let key = entry.first("Key")?.text, !key.isEmpty else { throw SimFault.badRequest("a MetadataEntry needs a Key") }
                try Self.checkKeyLength(key)
                let (domain, visibility) = try Self.domainTag(entry.first("Domain"), key: key)
                changes.append(SimMetadataChange(domain: domain, key: key, value: try Self.stringValue(entry, key: key), visibility: visibility))
            }
            try requireWrite(changes, caller: caller)
            return try metadataTask(owner, changes: changes, caller: caller, now: now, request: request)
        case ("PUT", let (domain, key)?):
            let body = try parseBody(request)
            guard body.name == "MetadataValue" else { throw SimFault.badRequest("expected a MetadataValue document, got \(body.name)") }
            let (bodyDomain, visibility) = try Self.domainTag(body.first("Domain"), key: key, defaultDomain: domain)
            guard bodyDomain == domain else {
                throw SimFault.badRequest("metadata \(key): the body's domain \(bodyDomain) differs from the URL's domain \(domain)")
            }
            try Self.checkKeyLength(key)
            let change = SimMetadataChange(domain: domain, key: key, value: try Self.stringValue(body, key: key), visibility: visibility)
            try requireWrite([change], caller: caller)
            return try metadataTask(owner, changes: [change], caller: caller, now: now, request: request)
        case ("DELETE", let (domain, key)?):
            let change = SimMetadataChange(domain: domain, key: key, value: nil, visibility: "")
            try requireWrite([change], caller: caller)
            guard visibleEntry(owner.id, domain: domain, key: key, caller: caller) != nil else { throw Self.noEntry(key) }
            return try metadataTask(owner, changes: [change], caller: caller, now: now, request: request)
        default:
            throw SimFault.methodNotAllowed("method \(request.method) is not supported on \(request.path)")
        }
    }

    /// `KEY` (GENERAL), `GENERAL/KEY` or `SYSTEM/KEY`, percent-decoded.
    private static func metadataPath(_ raw: String) throws -> (domain: String, key: String) {
        var domain = SimMetadataChange.general
        var key = raw
        for prefix in [SimMetadataChange.general, SimMetadataChange.system] where raw.hasPrefix(prefix + "/") {
            domain = prefix
            key = String(raw.dropFirst(prefix.count + 1))
        }
        key = key.removingPercentEncoding ?? key
        guard !key.isEmpty else { throw SimFault.notFound("no metadata key in \(raw)") }
        return (domain, key)
    }

    /// A Domain element: absent or empty is GENERAL (common.xsd, MetadataDomainTagType); the visibility must suit the domain.
    private static func domainTag(_ tag: SimXML?, key: String, defaultDomain: String = SimMetadataChange.general) throws -> (String, String) {
        guard let tag else { return (defaultDomain, defaultDomain == SimMetadataChange.system ? "READONLY" : "READWRITE") }
        let text = tag.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let domain = text.isEmpty ? SimMetadataChange.general : text
        guard let visibility = tag["visibility"] else { throw SimFault.badRequest("metadata \(key): the Domain element needs a visibility attribute") }
        switch (domain, visibility) {
        case (SimMetadataChange.system, "PRIVATE"), (SimMetadataChange.system, "READONLY"), (SimMetadataChange.general, "READWRITE"):
            return (domain, visibility)
        case (SimMetadataChange.system, _), (SimMetadataChange.general, _):
            throw SimFault.badRequest("metadata \(key): visibility \(visibility) is not allowed in domain \(domain)")
        default:
            throw SimFault.badRequest("metadata \(key): unknown domain \(domain) (GENERAL or SYSTEM)")
        }
    }

    /// "An arbitrary key name. Length cannot exceed 256 UTF-8 characters." (common.xsd, MetadataEntryType/Key)
    private static func checkKeyLength(_ key: String) throws {
        guard key.count <= 256 else { throw SimFault.badRequest("metadata key of \(key.count) characters: at most 256") }
    }

    /// The string a TypedValue holds. The simulator keeps string values only: other types are refused, not mangled.
    private static func stringValue(_ element: SimXML, key: String) throws -> String {
        guard let typed = element.first("TypedValue") else { throw SimFault.badRequest("metadata \(key): TypedValue is required") }
        let type = typed["type"].map { $0.split(separator: ":").last.map(String.init) ?? $0 }
        guard type == "MetadataStringValue" else {
            throw SimFault.badRequest("metadata \(key): TypedValue of type \(type ?? "(none)") is not supported by the simulator (MetadataStringValue only)")
        }
        guard let value = typed.first("Value") else { throw SimFault.badRequest("metadata \(key): TypedValue needs a Value") }
        return value.text
    }

    /// Only a system administrator writes or deletes SYSTEM-domain entries.
    private func requireWrite(_ changes: [SimMetadataChange], caller: SimCaller) throws {
        guard !caller.isSystemAdministrator, let change = changes.first(where: { $0.domain == SimMetadataChange.system }) else { return }
        throw SimFault.forbidden("Metadata \(change.key) is in the SYSTEM domain: only a system administrator may change it.")
    }

    private func visibleSystemMetadata(_ id: String, _ caller: SimCaller) -> [String: SimSystemMetadata] {
        state.systemMetadata(id).filter { caller.isSystemAdministrator || $0.value.visibility != "PRIVATE" }
    }

    private func visibleEntry(_ id: String, domain: String, key: String, caller: SimCaller) -> (value: String, visibility: String)? {
        if domain == SimMetadataChange.system {
            return visibleSystemMetadata(id, caller)[key].map { ($0.value, $0.visibility) }
        }
        return state.generalMetadata(id)[key].map { ($0, "READWRITE") }
    }

    private static func noEntry(_ key: String) -> SimFault { .forbidden("No access to metadata entry \(key).") }

    private func metadataTask(_ owner: MetadataOwner, changes: [SimMetadataChange], caller: SimCaller, now: Date, request: SimRequest) throws -> SimResponse {
        let task = try startTask(operation: "metadataUpdate", name: "Updating metadata of \(owner.name)", org: owner.org, caller: caller,
                                 object: (owner.kind, owner.id, owner.name), effect: .domainMetadata(entity: owner.id, changes: changes),
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
