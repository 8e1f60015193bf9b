import Foundation

/// An API extension as vCD registers it: requests to `urlPatterns` go to `exchange` with `routingKey`.
public struct ExtensionServiceSpec: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var vendor: String
    public var exchange: String
    public var routingKey: String
    public var urlPatterns: [String]

    public init(name: String, namespace: String, vendor: String = "cse", exchange: String, routingKey: String, urlPatterns: [String]) {
        self.name = name
        self.namespace = namespace
        self.vendor = vendor
        self.exchange = exchange
        self.routingKey = routingKey
        self.urlPatterns = urlPatterns
    }
}

extension VCDSession {
    public enum RegistrationOutcome: String, Sendable { case created, updated, unchanged }

    /// Registers the extension, or updates it when one with the same name and namespace exists; a second run
    /// with the same settings changes nothing.
    @discardableResult
    public func registerExtension(_ spec: ExtensionServiceSpec) async throws -> RegistrationOutcome {
        let existing = try await query("adminService", filter: "name==\(Self.filterValue(spec.name));namespace==\(Self.filterValue(spec.namespace))")
        let body = serviceXML(spec)
        if let href = existing.first?.href {
            let current = try await get(href)
            let patterns = current.descendants("UrlPattern").map(\.text)
            if current.first("RoutingKey")?.text == spec.routingKey, current.first("Exchange")?.text == spec.exchange,
               current.first("Enabled")?.text == "true", patterns == spec.urlPatterns {
                return .unchanged
            }
            _ = try await send("PUT", href, xml: body, contentType: MediaType.extensionService)
            return .updated
        }
        let root = try await get("/api/admin/extension")
        let listHref = root.link(rel: "down", type: MediaType.extensionServices)?.href ?? baseURL + "/api/admin/extension/service"
        let list = try await get(listHref)
        let addHref = list.link(rel: "add", type: MediaType.extensionService)?.href ?? listHref
        _ = try await send("POST", addHref, xml: body, contentType: MediaType.extensionService)
        return .created
    }

    private nonisolated func serviceXML(_ spec: ExtensionServiceSpec) -> String {
        let filters = spec.urlPatterns.map { "<vmext:ApiFilter>" + XMLWriter.text("vmext:UrlPattern", $0) + "</vmext:ApiFilter>" }.joined()
        return XMLWriter.element("vmext:Service", ["xmlns": XMLWriter.vcloud, "xmlns:vmext": XMLWriter.vmext, "name": spec.name],
            XMLWriter.text("vmext:Namespace", spec.namespace) + XMLWriter.text("vmext:Enabled", "true")
            + XMLWriter.text("vmext:RoutingKey", spec.routingKey) + XMLWriter.text("vmext:Priority", "0")
            + XMLWriter.text("vmext:Exchange", spec.exchange) + XMLWriter.text("vmext:Vendor", spec.vendor)
            + "<vmext:ApiFilters>" + filters + "</vmext:ApiFilters>")
    }
}
