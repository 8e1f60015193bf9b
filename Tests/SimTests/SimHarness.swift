import Foundation
import VCDClient
import VCDSim

/// A simulator on a free loopback port, with the real vCD client logged in as whoever a test needs.
struct SimHarness {
    let server: SimServer
    var baseURL: String { server.baseURL }

    static func start(_ configure: (inout SimOptions) -> Void = { _ in }) async throws -> SimHarness {
        var options = SimOptions()
        options.taskSeconds = 0.05
        options.bootSeconds = 0.05
        options.phaseSeconds = 0.02
        configure(&options)
        let simulator = try Simulator(inventory: .default, options: options)
        return SimHarness(server: try await SimServer.start(simulator))
    }

    func session(_ user: String, _ org: String, _ password: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10))) -> VCDSession {
        VCDSession(baseURL: baseURL, credentials: Credentials(user: user, org: org, password: password), retry: retry)
    }

    func admin(retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10))) -> VCDSession {
        session("administrator", "System", "sim-admin", retry: retry)
    }
    var alice: VCDSession { session("alice", "org1", "sim-alice") }
    var carol: VCDSession { session("carol", "org2", "sim-carol") }

    /// A raw request (no client logic: no retries, no re-login).
    func raw(_ method: String, _ path: String, token: String? = nil, body: String? = nil, headers: [(String, String)] = []) async throws -> HTTPResponse {
        var all = headers.map { (name: $0.0, value: $0.1) }
        if let token { all.append((name: "x-vcloud-authorization", value: token)) }
        return try await CurlHTTPClient().send(HTTPRequest(method: method, url: path.hasPrefix("http") ? path : baseURL + path, headers: all,
                                                           body: body.map { Data($0.utf8) }))
    }

    /// Logs in with Basic auth and returns the token.
    func login(_ user: String, _ org: String, _ password: String) async throws -> String? {
        let basic = Data("\(user)@\(org):\(password)".utf8).base64EncodedString()
        let response = try await raw("POST", "/api/sessions", headers: [("Authorization", "Basic \(basic)"), ("Accept", "application/*+xml;version=36.0")])
        return response.header("x-vcloud-authorization")
    }

    func counters() async throws -> [String: Int] {
        let response = try await raw("GET", "/sim/counters")
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Int]) ?? [:]
    }

    func resetCounters() async throws { _ = try await raw("DELETE", "/sim/counters") }

    func setFaults(_ json: String) async throws {
        let response = try await raw("PUT", "/sim/faults", body: json)
        guard response.status == 200 else { throw SimTestError("setting faults failed: \(response.text)") }
    }

    func audit() async throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: try await raw("GET", "/sim/inventory").body) as? [String: Any]) ?? [:]
    }

    func stop() async { await server.stop() }
}

struct SimTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A small vApp workflow on top of the client, as cse's executor does it.
extension VCDSession {
    func vdcNamed(_ vdc: String, org: String) async throws -> XMLTree {
        try await self.vdc(named: vdc, org: try await self.org(named: org))
    }

    /// The VM of the Ubuntu OVA in org cse's catalog.
    func sourceTemplateVM() async throws -> (template: XMLTree, vm: XMLTree) {
        let catalog = try await catalog(named: "cse", org: try await org(named: "cse"))
        let item = catalogItems(of: catalog).first { $0.name.hasPrefix("ubuntu") }!
        let template = try await templateOfItem(item.href)
        return (template, template.path("Children")!.all("Vm")[0])
    }

    func composeAndWait(_ name: String, vdc: String, org: String) async throws -> XMLTree {
        let vdcTree = try await vdcNamed(vdc, org: org)
        let network = networks(of: vdcTree)[0]
        let (vApp, task) = try await composeVApp(vdc: vdcTree, name: name, description: "test", network: network)
        if let task { try await wait(for: task, pollInterval: .milliseconds(20)) }
        return try await get(vApp["href"]!)
    }
}
