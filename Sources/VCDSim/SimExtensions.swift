import Foundation

/// API extensions: registration under `/api/admin/extension/service`, and requests that match a registered
/// URL pattern forwarded to the service in vCD's extension message format, the reply returned to the client.
extension Simulator {
    func extensionRoot(_ caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        let r = render()
        let links = XMLOut.link(rel: "down", href: baseURL + "/api/admin/extension/service", type: "application/vnd.vmware.admin.extensionServices+xml")
        return .xml(200, r.root("VMWExtension", ["href": baseURL + "/api/admin/extension", "type": "application/vnd.vmware.admin.vmwExtension+xml"], links),
                    type: "application/vnd.vmware.admin.vmwExtension+xml")
    }

    func extensionServices(_ caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        let r = render()
        let listHref = baseURL + "/api/admin/extension/service"
        let content = XMLOut.link(rel: "add", href: listHref, type: "application/vnd.vmware.admin.service+xml")
            + state.extensions.values.sorted { $0.name < $1.name }.map {
                XMLOut.element("vmext:Service", ["href": r.href(.extensionService, $0.id), "name": $0.name, "type": "application/vnd.vmware.admin.service+xml"])
            }.joined()
        return .xml(200, "<vmext:ExtensionServices\(XMLOut.namespaces) href=\"\(listHref)\" type=\"application/vnd.vmware.admin.extensionServices+xml\">\(content)</vmext:ExtensionServices>",
                    type: "application/vnd.vmware.admin.extensionServices+xml")
    }

    func registerExtension(_ request: SimRequest, caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        var service = try parseService(try parseBody(request), id: state.newID(0xe47))
        if state.extensions.values.contains(where: { $0.name == service.name && $0.namespace == service.namespace }) {
            throw SimFault.duplicateName("An extension service named \(service.name) in namespace \(service.namespace) already exists.")
        }
        if service.exchange.isEmpty { service.exchange = "vcdext" }
        state.extensions[service.id] = service
        dirty = true
        return serviceDocument(service, status: 201)
    }

    func extensionServiceDocument(_ id: String, caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        guard let service = state.extensions[id] else { throw SimFault.notFound("no extension service \(id)") }
        return serviceDocument(service, status: 200)
    }

    func updateExtension(_ request: SimRequest, id: String, caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        guard state.extensions[id] != nil else { throw SimFault.notFound("no extension service \(id)") }
        let service = try parseService(try parseBody(request), id: id)
        state.extensions[id] = service
        dirty = true
        return serviceDocument(service, status: 200)
    }

    func unregisterExtension(_ id: String, caller: SimCaller) throws -> SimResponse {
        try requireSystemAdministrator(caller)
        guard let service = state.extensions[id] else { throw SimFault.notFound("no extension service \(id)") }
        guard !service.enabled else { throw SimFault.badRequest("disable the extension service before removing it") }
        state.extensions[id] = nil
        dirty = true
        return SimResponse(status: 204)
    }

    private func parseService(_ body: SimXML, id: String) throws -> SimExtensionService {
        guard body.name == "Service", let name = body["name"], !name.isEmpty else { throw SimFault.badRequest("expected a vmext:Service with a name") }
        let patterns = body.first("ApiFilters")?.all("ApiFilter").compactMap { $0.first("UrlPattern")?.text } ?? []
        for pattern in patterns where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw SimFault.badRequest("UrlPattern '\(pattern)' is not a valid regular expression")
        }
        return SimExtensionService(id: id, name: name, namespace: body.first("Namespace")?.text ?? name, vendor: body.first("Vendor")?.text ?? "",
                                   routingKey: body.first("RoutingKey")?.text ?? name, exchange: body.first("Exchange")?.text ?? "",
                                   priority: body.first("Priority").flatMap { Int($0.text) } ?? 0,
                                   enabled: (body.first("Enabled")?.text ?? "true") == "true",
                                   isAuthorizationEnabled: body.first("IsAuthorizationEnabled")?.text == "true", urlPatterns: patterns)
    }

    private func serviceDocument(_ service: SimExtensionService, status: Int) -> SimResponse {
        let r = render()
        let href = r.href(.extensionService, service.id)
        let content = XMLOut.link(rel: "edit", href: href, type: "application/vnd.vmware.admin.service+xml")
            + XMLOut.link(rel: "remove", href: href)
            + XMLOut.text("vmext:Namespace", service.namespace) + XMLOut.text("vmext:Enabled", String(service.enabled))
            + XMLOut.text("vmext:RoutingKey", service.routingKey) + XMLOut.text("vmext:Priority", String(service.priority))
            + XMLOut.text("vmext:Exchange", service.exchange) + XMLOut.text("vmext:Vendor", service.vendor)
            + "<vmext:ApiFilters>" + service.urlPatterns.map { "<vmext:ApiFilter>" + XMLOut.text("vmext:UrlPattern", $0) + "</vmext:ApiFilter>" }.joined()
            + "</vmext:ApiFilters>" + XMLOut.text("vmext:IsAuthorizationEnabled", String(service.isAuthorizationEnabled))
        return .xml(status, "<vmext:Service\(XMLOut.namespaces) name=\"\(XMLOut.escape(service.name))\" id=\"urn:vcloud:service:\(service.id)\" href=\"\(href)\" type=\"application/vnd.vmware.admin.service+xml\">\(content)</vmext:Service>",
                    type: "application/vnd.vmware.admin.service+xml")
    }

    // MARK: forwarding

    func matchingExtension(_ path: String) -> SimExtensionService? {
        state.extensions.values.sorted { $0.priority > $1.priority }.first { service in
            service.enabled && service.urlPatterns.contains { pattern in
                guard let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") else { return false }
                return regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
            }
        }
    }

    func forwardToExtension(_ request: SimRequest, service: SimExtensionService, caller: SimCaller) async throws -> SimResponse {
        guard let forwarder else { throw SimFault.gatewayTimeout("the extension service \(service.name) is not reachable (no AMQP broker configured)") }
        let id = UUID().uuidString.lowercased()
        let message = Self.extensionMessage(request, id: id, caller: caller, baseURL: baseURL)
        counters["extension \(service.name)", default: 0] += 1
        let reply: Data?
        do {
            reply = try await forwarder.forward(exchange: service.exchange, routingKey: service.routingKey, correlationID: id, message: message,
                                                timeout: options.extensionTimeoutSeconds)
        } catch {
            throw SimFault.gatewayTimeout("the extension service \(service.name) could not be reached")
        }
        guard let reply else { throw SimFault.gatewayTimeout("The extension service \(service.name) did not answer within \(Int(options.extensionTimeoutSeconds)) seconds.") }
        return try Self.httpResponse(fromReply: reply)
    }

    static func extensionMessage(_ request: SimRequest, id: String, caller: SimCaller, baseURL: String) -> Data {
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[canonicalHeaderName(name)] = value }
        let port = URL(string: baseURL)?.port ?? 443
        let query = encodedQuery(request.query)
        let forwarded: [String: Any] = [
            "id": id, "method": request.method, "scheme": "http", "protocol": "HTTP/1.1", "requestUri": request.path,
            "queryString": query.isEmpty ? NSNull() : query, "headers": headers, "body": request.body.base64EncodedString(),
            "remoteAddr": "127.0.0.1", "remotePort": 0, "localAddr": "127.0.0.1", "localPort": port, "request": true,
        ]
        let context: [String: Any] = [
            "user": "urn:vcloud:user:\(caller.user.id)", "org": "urn:vcloud:org:\(caller.org.id)",
            "rights": caller.isSystemAdministrator ? ["System Administrator"] : [caller.user.role.rawValue],
        ]
        return (try? JSONSerialization.data(withJSONObject: [forwarded, context], options: [.sortedKeys])) ?? Data()
    }

    static func encodedQuery(_ query: [String: String]) -> String { query.isEmpty ? "" : encodeQuery(query) }

    static func canonicalHeaderName(_ lowercased: String) -> String {
        if lowercased.hasPrefix("x-vcloud") { return lowercased }
        return lowercased.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    /// The extension's reply (`{id, headers, statusCode, body(base64), request:false}`) as an HTTP answer.
    static func httpResponse(fromReply data: Data) throws -> SimResponse {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let status = object["statusCode"] as? Int else {
            throw SimFault.internalError("the extension service sent a reply vCD cannot read")
        }
        var headers: [String: String] = [:]
        for (name, value) in object["headers"] as? [String: Any] ?? [:] where name.lowercased() != "content-length" {
            headers[name] = "\(value)"
        }
        let body = (object["body"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
        return SimResponse(status: status, headers: headers, body: body)
    }
}
