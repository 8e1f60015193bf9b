/// Finding orgs, vdcs, networks and catalogs by name, following links as vCD clients do.
extension VCDSession {
    public struct NamedRef: Sendable, Hashable {
        public var name: String
        public var href: String
    }

    public func org(named name: String) async throws -> XMLTree {
        let list = try await get("/api/org")
        guard let org = list.all("Org").first(where: { $0["name"] == name }), let href = org["href"] else {
            throw VCDError(status: 404, minorErrorCode: "NOT_FOUND", message: "org '\(name)' not found", request: "GET /api/org")
        }
        return try await get(href)
    }

    public func vdc(named name: String, org: XMLTree) async throws -> XMLTree {
        guard let link = org.links.first(where: { $0.rel == "down" && $0.type == MediaType.vdc && $0.name == name }) else {
            throw VCDError(status: 404, minorErrorCode: "NOT_FOUND", message: "vdc '\(name)' not found in org '\(org["name"] ?? "")'", request: "GET org")
        }
        return try await get(link.href)
    }

    public func catalog(named name: String, org: XMLTree) async throws -> XMLTree {
        guard let link = org.links.first(where: { $0.rel == "down" && $0.type == MediaType.catalog && $0.name == name }) else {
            throw VCDError(status: 404, minorErrorCode: "NOT_FOUND", message: "catalog '\(name)' not found in org '\(org["name"] ?? "")'", request: "GET org")
        }
        return try await get(link.href)
    }

    /// The vdc's org vdc networks, in vCD's order.
    public nonisolated func networks(of vdc: XMLTree) -> [NamedRef] {
        (vdc.first("AvailableNetworks")?.all("Network") ?? []).compactMap { network in
            guard let name = network["name"], let href = network["href"] else { return nil }
            return NamedRef(name: name, href: href)
        }
    }

    public nonisolated func storageProfiles(of vdc: XMLTree) -> [NamedRef] {
        (vdc.first("VdcStorageProfiles")?.all("VdcStorageProfile") ?? []).compactMap { profile in
            guard let name = profile["name"], let href = profile["href"] else { return nil }
            return NamedRef(name: name, href: href)
        }
    }

    public nonisolated func catalogItems(of catalog: XMLTree) -> [NamedRef] {
        (catalog.first("CatalogItems")?.all("CatalogItem") ?? []).compactMap { item in
            guard let name = item["name"], let href = item["href"] else { return nil }
            return NamedRef(name: name, href: href)
        }
    }

    /// The vApp template a catalog item holds.
    public func templateOfItem(_ itemHref: String) async throws -> XMLTree {
        let item = try await get(itemHref)
        guard let entity = item.first("Entity")?["href"] else {
            throw VCDError(status: 0, message: "catalog item has no entity", request: "GET catalogItem")
        }
        return try await get(entity)
    }
}
