import Foundation
import Logging

/// A logged-in conversation with vCD's REST API (XML): version negotiation, login (cloudapi with a Bearer JWT, or the
/// legacy `/api/sessions` where the chosen version still has it), the token on every request, one re-login on 401,
/// retries of idempotent requests, typed errors, logout.
public actor VCDSession {
    /// API versions this client negotiates, oldest first: vCD 10.3 (36.0) to 10.6 (39.0). A pinned version outside
    /// this list is used when vCD offers it.
    public static let supportedVersions = ["36.0", "37.0", "38.0", "39.0"]

    public nonisolated let baseURL: String
    public let credentials: Credentials
    nonisolated let http: CurlHTTPClient
    private let retry: RetryPolicy
    private let logger: Logger
    private var pinnedVersion: String?
    private var token: SessionToken?
    private var login: Task<SessionToken, any Error>?
    public private(set) var apiVersion: String?
    /// The logged-in user (name, org, user href); nil before the first login.
    public private(set) var session: SessionInfo?

    public init(baseURL: String, credentials: Credentials, apiVersion: String? = nil, http: CurlHTTPClient = CurlHTTPClient(),
                retry: RetryPolicy = RetryPolicy(), logger: Logger = Logger(label: "cse.vcd")) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.http = http
        self.retry = retry
        self.logger = logger
        self.pinnedVersion = apiVersion
    }

    /// Logs in now (later requests log in on their own when needed).
    @discardableResult
    public func connect() async throws -> SessionInfo {
        _ = try await currentToken(renew: token == nil)
        guard let session else { throw VCDError(status: 0, message: "no session after login", request: "login") }
        return session
    }

    /// Ends the session in vCD (CSE 0.1 never did and leaked sessions): `DELETE /cloudapi/1.0.0/sessions/current` for
    /// a Bearer session, `DELETE /api/session` for a legacy one (removed with legacy login in 37.0).
    public func logout() async {
        guard let token, let version = apiVersion else { return }
        self.token = nil
        let request: HTTPRequest
        switch token.kind {
        case .bearer:
            request = HTTPRequest(method: "DELETE", url: baseURL + "/cloudapi/1.0.0/sessions/current",
                                  headers: Self.headers(token: token, version: version, accept: "application/json;version=\(version)"))
        case .legacy:
            request = HTTPRequest(method: "DELETE", url: baseURL + "/api/session", headers: Self.headers(token: token, version: version))
        }
        _ = try? await http.send(request)
    }

    // MARK: requests

    /// Sends a request with the session's token and API version; `path` is absolute (`/api/...`) or a full href.
    public func send(_ method: String, _ path: String, contentType: String? = nil, body: Data? = nil,
                     accept: String? = nil, extraHeaders: [(name: String, value: String)] = []) async throws -> HTTPResponse {
        let url = path.hasPrefix("http") ? path : baseURL + path
        var attempt = 1
        var renewed = false
        while true {
            let token = try await currentToken(renew: false)
            var headers = Self.headers(token: token, version: apiVersion ?? "", accept: accept)
            if let contentType { headers.append((name: "Content-Type", value: contentType)) }
            headers += extraHeaders
            let request = HTTPRequest(method: method, url: url, headers: headers, body: body)
            let started = ContinuousClock.now
            do {
                let response = try await http.send(request)
                logger.debug("\(method) \(Self.loggable(url)) -> \(response.status) in \(ContinuousClock.now - started)")
                if response.status == 401 && !renewed {
                    // The token expired or was revoked: log in again once, then repeat (nothing was done).
                    renewed = true
                    _ = try await currentToken(renew: true, stale: token)
                    continue
                }
                if (200..<300).contains(response.status) { return response }
                let error = Self.error(from: response, request: "\(method) \(Self.loggable(url))")
                guard error.isTransient && !error.isBusyEntity && request.isIdempotent && attempt < retry.maxAttempts else { throw error }
                logger.notice("retrying after \(error)")
            } catch let error as TransportError {
                // A POST that may have reached vCD is not repeated; one that could not connect never arrived.
                let safe = request.isIdempotent || error.kind == .connect
                guard safe && error.kind != .tls && attempt < retry.maxAttempts else { throw error }
                logger.notice("retrying after \(error)")
            }
            try await Task.sleep(for: retry.delay(afterAttempt: attempt))
            attempt += 1
        }
    }

    /// GET and parse an XML resource.
    public func get(_ path: String) async throws -> XMLTree {
        try XMLTree.parse(try await send("GET", path).body)
    }

    /// Sends an XML body and parses the XML answer.
    public func send(_ method: String, _ path: String, xml: String, contentType: String) async throws -> XMLTree {
        let response = try await send(method, path, contentType: contentType, body: Data(xml.utf8))
        return try XMLTree.parse(response.body)
    }

    // MARK: login

    private func currentToken(renew: Bool, stale: SessionToken? = nil) async throws -> SessionToken {
        if let token, !renew || (stale != nil && token != stale) { return token }
        if let login { return try await login.value }
        // Token, version and session are set inside the login task, so every caller that joined it sees them.
        let task = Task {
            let (token, version, info) = try await self.performLogin()
            self.token = token
            self.apiVersion = version
            self.session = info
            return token
        }
        login = task
        defer { login = nil }
        return try await task.value
    }

    private func performLogin() async throws -> (SessionToken, String, SessionInfo) {
        let response = try await sendRetryingServerErrors(HTTPRequest(method: "GET", url: baseURL + "/api/versions"))
        guard response.status == 200 else { throw Self.error(from: response, request: "GET /api/versions") }
        let plan = try VersionNegotiation.plan(offered: OfferedVersion.parse(try XMLTree.parse(response.body)), pinned: pinnedVersion,
                                               supported: Self.supportedVersions, org: credentials.org, baseURL: baseURL)
        if let warning = plan.warning { logger.warning("\(warning)") }
        let basic = Data("\(credentials.user)@\(credentials.org):\(credentials.password)".utf8).base64EncodedString()
        let (url, accept) = switch plan.endpoint {
        case .legacy(let url): (url, "application/*+xml;version=\(plan.version)")
        case .cloudapi(let url): (url, "application/json;version=\(plan.version)")
        }
        let request = HTTPRequest(method: "POST", url: url, headers: [(name: "Accept", value: accept), (name: "Authorization", value: "Basic \(basic)")])
        // Logging in changes nothing but a new session, so a transient failure is retried like a read.
        let answer = try await sendRetryingServerErrors(request)
        guard answer.status == 200 || answer.status == 201 else {
            var error = Self.error(from: answer, request: "POST \(Self.loggable(url))")
            if answer.status == 401 { error.message = "login as \(credentials) refused: \(error.message)" }
            throw error
        }
        let token: SessionToken
        let info: SessionInfo
        switch plan.endpoint {
        case .legacy:
            guard let value = answer.header("x-vcloud-authorization") else {
                throw VCDError(status: answer.status, message: "the login answer has no x-vcloud-authorization header", request: "POST \(Self.loggable(url))")
            }
            token = .legacy(value)
            info = try SessionInfo(XMLTree.parse(answer.body), baseURL: baseURL)
        case .cloudapi:
            guard let value = answer.header("X-VMWARE-VCLOUD-ACCESS-TOKEN") else {
                throw VCDError(status: answer.status, message: "the login answer has no X-VMWARE-VCLOUD-ACCESS-TOKEN header", request: "POST \(Self.loggable(url))")
            }
            token = .bearer(value)
            info = try SessionInfo(json: answer.body, baseURL: baseURL)
        }
        logger.info("logged in to \(baseURL) as \(credentials), API \(plan.version), \(token)")
        return (token, plan.version, info)
    }

    /// For the login exchange (safe to repeat): retries 5xx answers and connection failures with back-off.
    private func sendRetryingServerErrors(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            do {
                let response = try await http.send(request)
                if response.status < 500 || attempt >= retry.maxAttempts { return response }
                logger.notice("\(request.method) \(Self.loggable(request.url)) answered HTTP \(response.status); retrying")
            } catch let error as TransportError where error.kind != .tls && attempt < retry.maxAttempts {
                logger.notice("\(request.method) \(Self.loggable(request.url)) failed: \(error); retrying")
            }
            try await Task.sleep(for: retry.delay(afterAttempt: attempt))
            attempt += 1
        }
    }

    // MARK: helpers

    static func headers(token: SessionToken, version: String, accept: String? = nil) -> [(name: String, value: String)] {
        [(name: "Accept", value: accept ?? "application/*+xml;version=\(version)"), token.header]
    }

    static func versionLess(_ a: String, _ b: String) -> Bool {
        a.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(b.split(separator: ".").compactMap { Int($0) })
    }

    /// The URL without its query string (filters may carry names, never secrets, but keep logs short).
    static func loggable(_ url: String) -> String {
        String(url.split(separator: "?", maxSplits: 1).first ?? "")
    }

    static func error(from response: HTTPResponse, request: String) -> VCDError {
        if let tree = try? XMLTree.parse(response.body), tree.name == "Error" {
            return VCDError(status: response.status, majorErrorCode: tree["majorErrorCode"], minorErrorCode: tree["minorErrorCode"],
                            message: tree["message"] ?? "", request: request)
        }
        // cloudapi answers errors as JSON (OpenAPI Error model: minorErrorCode, message).
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any], let message = object["message"] as? String {
            return VCDError(status: response.status, minorErrorCode: object["minorErrorCode"] as? String, message: message, request: request)
        }
        let text = response.text.prefix(200)
        return VCDError(status: response.status, message: text.isEmpty ? "no message" : String(text), request: request)
    }
}
