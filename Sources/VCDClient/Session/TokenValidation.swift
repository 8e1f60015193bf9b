import Foundation

extension VCDSession {
    /// Asks vCD who holds `token` (a tenant's session token forwarded with an extension request):
    /// `GET /api/session` with that token, in the header its kind belongs in. nil when vCD does not accept it
    /// (expired, logged out, forged).
    public nonisolated func validate(tenantToken token: SessionToken, apiVersion: String? = nil) async throws -> SessionInfo? {
        let version: String
        if let apiVersion { version = apiVersion } else { version = try await negotiatedVersion() }
        let request = HTTPRequest(method: "GET", url: baseURL + "/api/session", headers: Self.headers(token: token, version: version))
        let response = try await http.send(request)
        switch response.status {
        case 200: return try SessionInfo(XMLTree.parse(response.body), baseURL: baseURL)
        case 401, 403: return nil
        default: throw Self.error(from: response, request: "GET /api/session (tenant token)")
        }
    }

    /// The API version in use, logging in first if needed.
    func negotiatedVersion() async throws -> String {
        if let apiVersion { return apiVersion }
        try await connect()
        return apiVersion ?? Self.supportedVersions.last!
    }
}
