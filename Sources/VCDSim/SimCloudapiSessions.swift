import Foundation

/// vCD's OpenAPI login (`/cloudapi/1.0.0/sessions`, since API 33.0): JSON Session answers and a Bearer JWT in
/// `X-VMWARE-VCLOUD-ACCESS-TOKEN`.
///
/// Sources: the OpenAPI Session model (id, user {name,id}, org {name,id}, roles, roleRefs,
/// sessionIdleTimeoutMinutes; "Added in 33.0"; returned by Login, Provider Login, Get Current Session); pyvcloud
/// 23.0.4 `Client.set_credentials` (System posts to `.../sessions/provider`, tenants to `.../sessions`, Accept
/// `application/json`, token from `X-VMWARE-VCLOUD-ACCESS-TOKEN`, then `GET /api/session` with
/// `Authorization: Bearer`); go-vcloud-director `vcdCloudApiAuthorize` ("This call can only be used by tenants"; the
/// provider must qualify the request with `/provider`) and `types.OpenApiEndpointSessionCurrent` (`sessions/current`).
extension Simulator {
    func cloudapi(_ request: SimRequest, parts: [String], now: Date) throws -> SimResponse {
        do {
            try checkVersion(request)
            if let version = Self.requestedVersion(request), !profile.hasCloudapiSessions(at: version) {
                throw SimFault.notAcceptable("The request has invalid accept header: API version \(version) has no OpenAPI sessions (since \(SimReleaseProfile.cloudapiSessionsSince))")
            }
            switch (request.method, parts) {
            case ("POST", ["1.0.0", "sessions"]): return try cloudapiLogin(request, provider: false, now: now)
            case ("POST", ["1.0.0", "sessions", "provider"]): return try cloudapiLogin(request, provider: true, now: now)
            case ("GET", ["1.0.0", "sessions", "current"]):
                return sessionJSON(try authenticate(request, now: now), version: Self.requestedVersion(request))
            case ("DELETE", ["1.0.0", "sessions", "current"]):
                endSession(try authenticate(request, now: now).token)
                return SimResponse(status: 204)
            case (_, ["1.0.0", "sessions"]), (_, ["1.0.0", "sessions", "provider"]), (_, ["1.0.0", "sessions", "current"]):
                throw SimFault.methodNotAllowed("method \(request.method) is not supported on \(request.path)")
            default:
                throw SimFault.notFound("no such resource: \(request.path)")
            }
        } catch let fault as SimFault {
            if case .reset = fault { throw fault }
            // cloudapi errors are JSON (the OpenAPI Error model: minorErrorCode, message, stackTrace).
            return .json(fault.status, ["minorErrorCode": fault.minorErrorCode, "message": fault.message, "stackTrace": NSNull()])
        }
    }

    /// The provider endpoint takes only System users and the tenant endpoint only tenants; anyone else gets 401.
    private func cloudapiLogin(_ request: SimRequest, provider: Bool, now: Date) throws -> SimResponse {
        let (user, org) = try basicCredentials(request)
        let isProvider = org.name.lowercased() == "system"
        guard isProvider == provider else {
            throw SimFault.unauthorizedBecause(provider
                ? "Provider login is only for users of the System organization; tenants log in at /cloudapi/1.0.0/sessions"
                : "Users of the System organization log in at /cloudapi/1.0.0/sessions/provider")
        }
        let token = jwt(for: user, org: org)
        state.sessions[token] = SimSession(token: token, user: user.id, createdAt: now, expiresAt: now.addingTimeInterval(options.sessionSeconds),
                                           kind: .bearer, login: random.hex(16))
        dirty = true
        var response = sessionJSON(SimCaller(user: user, org: org, token: token), version: Self.requestedVersion(request))
        response.headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"] = token
        response.headers["X-VMWARE-VCLOUD-TOKEN-TYPE"] = "Bearer"
        return response
    }

    private func sessionJSON(_ caller: SimCaller, version: String?) -> SimResponse {
        let session = state.sessions[caller.token]
        let body: [String: Any] = [
            "id": "urn:vcloud:session:\(session?.login ?? caller.token.suffix(16).description)",
            "user": ["name": caller.user.name, "id": "urn:vcloud:user:\(caller.user.id)"],
            "org": ["name": caller.org.name, "id": "urn:vcloud:org:\(caller.org.id)"],
            "roles": [caller.user.role.rawValue],
            "sessionIdleTimeoutMinutes": Int(options.sessionSeconds / 60),
        ]
        var response = SimResponse.json(200, body)
        response.headers["Content-Type"] = "application/json;version=\(version ?? profile.newest)"
        return response
    }
}
