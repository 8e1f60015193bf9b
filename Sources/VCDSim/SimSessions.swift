import Foundation

/// Versions, legacy login (`POST /api/sessions`), session tokens and their expiry. The cloudapi login is in
/// `SimCloudapiSessions.swift`.
extension Simulator {
    /// `GET /api/versions`: the release's VersionInfo list (versions.xsd VersionInfoType: Version, LoginUrl,
    /// ProviderLoginUrl; `deprecated` attribute), shaped like a real 10.4 reply (see `SimReleaseProfile`).
    func versions() -> SimResponse {
        let infos = profile.versions.map { version in
            var body = XMLOut.text("Version", version.number)
            if profile.advertisesCloudapiLogin(version.number) {
                body += XMLOut.text("LoginUrl", baseURL + "/cloudapi/1.0.0/sessions")
                    + XMLOut.text("ProviderLoginUrl", baseURL + "/cloudapi/1.0.0/sessions/provider")
            } else {
                body += XMLOut.text("LoginUrl", baseURL + "/api/sessions")
            }
            return XMLOut.element("VersionInfo", ["deprecated": version.deprecated ? "true" : "false"], body)
        }.joined()
        return .xml(200, "<SupportedVersions xmlns=\"http://www.vmware.com/vcloud/versions\">\(infos)</SupportedVersions>",
                    type: "application/vnd.vmware.vcloud.versions+xml")
    }

    /// `POST /api/sessions` with Basic `user@org:password`: deprecated in 33.0, gone from 38.0 on and on 10.6 (see
    /// `SimReleaseProfile`).
    func login(_ request: SimRequest, now: Date) throws -> SimResponse {
        try checkVersion(request)
        let version = Self.requestedVersion(request)
        guard version.map(profile.hasLegacyLogin(at:)) ?? profile.hasLegacyLogin else {
            throw SimFault.methodNotAllowed("POST /api/sessions is not available at API \(version ?? "(none)") on \(profile) (gone from "
                + "\(SimReleaseProfile.legacyLoginRemovedIn) on, and on 10.6 altogether); log in at /cloudapi/1.0.0/sessions (tenants) or "
                + "/cloudapi/1.0.0/sessions/provider (System)")
        }
        let (user, org) = try basicCredentials(request)
        let token = random.hex(32)
        let bearer = jwt(for: user, org: org)
        let login = random.hex(16)
        // A legacy login gives both tokens: the opaque one for x-vcloud-authorization and a JWT for Bearer (vCD 9.x+,
        // go-vcloud-director's SetToken: "In version 30+ it also uses X-Vmware-Vcloud-Access-Token").
        state.sessions[token] = SimSession(token: token, user: user.id, createdAt: now, expiresAt: now.addingTimeInterval(options.sessionSeconds),
                                           kind: .legacy, login: login)
        state.sessions[bearer] = SimSession(token: bearer, user: user.id, createdAt: now, expiresAt: now.addingTimeInterval(options.sessionSeconds),
                                            kind: .bearer, login: login)
        dirty = true
        var response = sessionDocument(SimCaller(user: user, org: org, token: token), version: version)
        response.headers["x-vcloud-authorization"] = token
        response.headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"] = bearer
        response.headers["X-VMWARE-VCLOUD-TOKEN-TYPE"] = "Bearer"
        return response
    }

    /// The user named by a Basic `user@org:password` header, or 401.
    func basicCredentials(_ request: SimRequest) throws -> (SimUser, SimOrg) {
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
        return (user, org)
    }

    /// A token shaped like vCD's JWTs (three base64url parts); the simulator only looks it up, never verifies it.
    func jwt(for user: SimUser, org: SimOrg) -> String {
        func part(_ object: [String: String]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return part(["alg": "RS256"]) + "." + part(["sub": user.name, "iss": "urn:vcloud:org:\(org.id)", "jti": random.hex(32)]) + "." + random.hex(64)
    }

    /// The caller of an `/api` or `/cloudapi` request: an opaque token in `x-vcloud-authorization` (legacy login only) or
    /// a JWT in `Authorization: Bearer`. A JWT sent as x-vcloud-authorization, or an opaque token sent as Bearer, is
    /// not a session (vCD keeps the two apart; pyvcloud's `rehydrate_from_token` picks the header by token kind).
    func authenticate(_ request: SimRequest, now: Date) throws -> SimCaller {
        let presented: (String, SimSession.Kind)
        if let token = request.headers["x-vcloud-authorization"] {
            presented = (token, .legacy)
        } else if let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") {
            presented = (String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), .bearer)
        } else {
            throw SimFault.unauthorized
        }
        let (token, kind) = presented
        guard let session = state.sessions[token], session.tokenKind == kind else { throw SimFault.unauthorized }
        guard session.expiresAt > now else {
            endSession(token)
            throw SimFault.unauthorized
        }
        guard let user = state.users[session.user], let org = state.orgs[user.org] else { throw SimFault.unauthorized }
        return SimCaller(user: user, org: org, token: token)
    }

    /// Ends the session of `token`, with the other token of the same login.
    func endSession(_ token: String) {
        guard let session = state.sessions.removeValue(forKey: token) else { return }
        if let login = session.login {
            for (other, value) in state.sessions where value.login == login { state.sessions[other] = nil }
        }
        dirty = true
    }

    /// `DELETE /api/session`: gone with `POST /api/sessions` from 38.0 on (vCD API diff "DELETE /session: the operation
    /// was removed", listed with POST /sessions).
    func logout(_ request: SimRequest, caller: SimCaller) throws -> SimResponse {
        if let version = Self.requestedVersion(request), !SimReleaseProfile.less(version, SimReleaseProfile.legacyLoginRemovedIn) {
            throw SimFault.methodNotAllowed("DELETE /api/session was removed in \(SimReleaseProfile.legacyLoginRemovedIn); use DELETE /cloudapi/1.0.0/sessions/current")
        }
        endSession(caller.token)
        return SimResponse(status: 204)
    }

    /// Ends every session now (fault rule or admin endpoint): clients must log in again.
    func expireSessions() {
        state.sessions.removeAll()
        dirty = true
    }

    func sessionDocument(_ caller: SimCaller, version: String? = nil) -> SimResponse {
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
        return .xml(200, document, type: "application/vnd.vmware.vcloud.session+xml;version=\(version ?? profile.newest)")
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
