import Foundation
import Logging

/// A logged-in conversation with vCD's REST API (XML): version negotiation, login, the token on every
/// request, one re-login on 401, retries of idempotent requests, typed errors, logout.
public actor VCDSession {
    /// API versions this client speaks, oldest first.
    public static let supportedVersions = ["29.0", "30.0", "31.0", "32.0", "33.0", "34.0", "35.0", "36.0"]

    public nonisolated let baseURL: String
    public let credentials: Credentials
    nonisolated let http: CurlHTTPClient
    private let retry: RetryPolicy
    private let logger: Logger
    private var pinnedVersion: String?
    private var token: String?
    private var login: Task<(String, String), any Error>?
    public private(set) var apiVersion: String?
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
        guard let session else { throw VCDError(status: 0, message: "no session after login", request: "POST /api/sessions") }
        return session
    }

    /// Ends the session in vCD (CSE 0.1 never did and leaked sessions).
    public func logout() async {
        guard let token, let version = apiVersion else { return }
        self.token = nil
        let request = HTTPRequest(method: "DELETE", url: baseURL + "/api/session", headers: Self.headers(token: token, version: version))
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

    private func currentToken(renew: Bool, stale: String? = nil) async throws -> String {
        if let token, !renew || (stale != nil && token != stale) { return token }
        if let login { return try await login.value.0 }
        // Token and version are set inside the login task, so every caller that joined it sees both.
        let task = Task {
            let (token, version) = try await self.performLogin()
            self.token = token
            self.apiVersion = version
            return (token, version)
        }
        login = task
        defer { login = nil }
        return try await task.value.0
    }

    private func performLogin() async throws -> (String, String) {
        let (version, loginURL) = try await negotiateVersion()
        let basic = Data("\(credentials.user)@\(credentials.org):\(credentials.password)".utf8).base64EncodedString()
        let request = HTTPRequest(method: "POST", url: loginURL, headers: [
            (name: "Accept", value: "application/*+xml;version=\(version)"),
            (name: "Authorization", value: "Basic \(basic)"),
        ])
        // Logging in changes nothing but a new session, so a transient failure is retried like a read.
        let response = try await sendRetryingServerErrors(request)
        guard response.status == 200 || response.status == 201, let token = response.header("x-vcloud-authorization") else {
            var error = Self.error(from: response, request: "POST \(Self.loggable(loginURL))")
            if response.status == 401 { error.message = "login as \(credentials) refused: \(error.message)" }
            throw error
        }
        session = try SessionInfo(XMLTree.parse(response.body))
        logger.info("logged in to \(baseURL) as \(credentials), API \(version)")
        return (token, version)
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

    /// The highest version both sides speak (or the configured one), and where to log in with it.
    private func negotiateVersion() async throws -> (String, String) {
        let response = try await sendRetryingServerErrors(HTTPRequest(method: "GET", url: baseURL + "/api/versions"))
        guard response.status == 200 else { throw Self.error(from: response, request: "GET /api/versions") }
        let offered = try XMLTree.parse(response.body).all("VersionInfo")
            .filter { $0["deprecated"] != "true" }
            .compactMap { info -> (String, String)? in
                guard let version = info.first("Version")?.text else { return nil }
                return (version, info.first("LoginUrl")?.text ?? baseURL + "/api/sessions")
            }
        let wanted = pinnedVersion.map { [$0] } ?? Self.supportedVersions
        guard let match = offered.filter({ wanted.contains($0.0) }).max(by: { Self.versionLess($0.0, $1.0) }) else {
            throw VCDError(status: 0, message: "no common API version: server offers \(offered.map(\.0).joined(separator: ", ")), cse speaks \(wanted.joined(separator: ", "))",
                           request: "GET /api/versions")
        }
        return match
    }

    // MARK: helpers

    static func headers(token: String, version: String, accept: String? = nil) -> [(name: String, value: String)] {
        [(name: "Accept", value: accept ?? "application/*+xml;version=\(version)"), (name: "x-vcloud-authorization", value: token)]
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
        let text = response.text.prefix(200)
        return VCDError(status: response.status, message: text.isEmpty ? "no message" : String(text), request: request)
    }
}

/// The logged-in user as vCD describes it (`Session`).
public struct SessionInfo: Sendable {
    public var user: String
    public var userID: String?
    public var org: String
    public var links: [XMLTree.Link]
    public var roles: [String]

    public init(_ tree: XMLTree) throws {
        guard tree.name == "Session" else { throw VCDError(status: 0, message: "expected a Session, got \(tree.name)", request: "session") }
        user = tree["user"] ?? ""
        userID = tree["userId"]
        org = tree["org"] ?? ""
        links = tree.links
        roles = tree["roles"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
    }

    public var isSystemAdministrator: Bool { org.lowercased() == "system" }
}
