import Foundation

/// Versions, login, session tokens and their expiry.
extension Simulator {
    func versions() -> SimResponse {
        let infos = Self.supportedVersions.map { version in
            XMLOut.element("VersionInfo", ["deprecated": "false"],
                           XMLOut.text("Version", version) + XMLOut.text("LoginUrl", baseURL + "/api/sessions"))
        }.joined()
        return .xml(200, "<SupportedVersions xmlns=\"http://www.vmware.com/vcloud/versions\">\(infos)</SupportedVersions>",
                    type: "application/vnd.vmware.vcloud.versions+xml")
    }

    /// `POST /api/sessions` with Basic `user@org:password`.
    func login(_ request: SimRequest, now: Date) throws -> SimResponse {
        guard let header = request.headers["authorization"], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
            throw SimFault.unauthorized
        }
        let login = text[..<colon]
        let password = String(text[text.index(after: colon)...])
        guard let at = login.lastIndex(of: "@") else { throw SimFault.unauthorized }
        let userName = String(login[..<at])
        let orgName = String(login[login.index(after: at)...])
        guard let org = state.org(named: orgName),
              let user = state.users.values.first(where: { $0.org == org.id && $0.name == userName }), user.password == password else {
            throw SimFault.unauthorized
        }
        let token = random.hex(32)
        state.sessions[token] = SimSession(token: token, user: user.id, createdAt: now, expiresAt: now.addingTimeInterval(options.sessionSeconds))
        dirty = true
        let caller = SimCaller(user: user, org: org, token: token)
        var response = sessionDocument(caller)
        response.headers["x-vcloud-authorization"] = token
        response.headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"] = token
        response.headers["X-VMWARE-VCLOUD-TOKEN-TYPE"] = "Bearer"
        return response
    }

    func authenticate(_ request: SimRequest, now: Date) throws -> SimCaller {
        var token = request.headers["x-vcloud-authorization"]
        if token == nil, let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") {
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let token, let session = state.sessions[token] else { throw SimFault.unauthorized }
        guard session.expiresAt > now else {
            state.sessions[token] = nil
            dirty = true
            throw SimFault.unauthorized
        }
        guard let user = state.users[session.user], let org = state.orgs[user.org] else { throw SimFault.unauthorized }
        return SimCaller(user: user, org: org, token: token)
    }

    /// Ends every session now (fault rule or admin endpoint): clients must log in again.
    func expireSessions() {
        state.sessions.removeAll()
        dirty = true
    }

    func sessionDocument(_ caller: SimCaller) -> SimResponse {
        let r = render()
        var links = XMLOut.link(rel: "down", href: r.href(.org, caller.org.id), type: "application/vnd.vmware.vcloud.org+xml", name: caller.org.name)
            + XMLOut.link(rel: "down", href: baseURL + "/api/org", type: "application/vnd.vmware.vcloud.orgList+xml")
            + XMLOut.link(rel: "down", href: baseURL + "/api/query", type: "application/vnd.vmware.vcloud.query.queryList+xml")
            + XMLOut.link(rel: "remove", href: baseURL + "/api/session")
        if caller.isSystemAdministrator {
            links += XMLOut.link(rel: "down", href: baseURL + "/api/admin", type: "application/vnd.vmware.admin.vcloud+xml")
                + XMLOut.link(rel: "down", href: baseURL + "/api/admin/extension", type: "application/vnd.vmware.admin.vmwExtension+xml")
        }
        let roles = XMLOut.text("Role", caller.user.role.rawValue)
        let document = "<Session\(XMLOut.namespaces)\(XMLOut.attributes(["user": caller.user.name, "org": caller.org.name, "userId": "urn:vcloud:user:\(caller.user.id)", "roles": caller.user.role.rawValue, "href": baseURL + "/api/session", "type": "application/vnd.vmware.vcloud.session+xml"]))>"
            + roles + links + "</Session>"
        return .xml(200, document, type: "application/vnd.vmware.vcloud.session+xml;version=36.0")
    }

    // MARK: transport faults

    func injectTransportFaults(_ request: SimRequest) async throws {
        if let rule = faults.fire([.latency], method: request.method, path: request.path) {
            let delay = (rule.latencyMs ?? 0) + faults.jitter(upTo: rule.jitterMs ?? 0)
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        }
        if faults.fire([.sessionExpiry], method: request.method, path: request.path) != nil { expireSessions() }
        if faults.fire([.reset], method: request.method, path: request.path) != nil { throw SimFault.reset }
        if let rule = faults.fire([.httpError], method: request.method, path: request.path) {
            let status = rule.status ?? 500
            switch status {
            case 503: throw SimFault.unavailable("injected: service unavailable")
            case 504: throw SimFault.gatewayTimeout("injected: gateway timeout")
            default: throw SimFault.internalError("injected: internal server error")
            }
        }
    }
}
