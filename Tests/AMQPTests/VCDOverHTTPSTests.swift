import Foundation
import Testing
import VCDClient
import VCDSim

/// cse's vCD client against the simulator serving HTTPS with certificates from a private CA made at run time:
/// verified by default, with `ca_bundle` as the trust anchor; a CA that did not sign the server's certificate or
/// a host name it is not for is refused with libcurl's reason; `verify: false` connects and warns once.
@Suite(.enabled(if: TestPKI.isAvailable, "openssl is not installed (.ci/install-packages): cannot make a CA"))
struct VCDOverHTTPSTests {
    @Test(.timeLimit(.minutes(2)))
    func vcdOverHTTPSIsVerifiedByCABundleAndHostName() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await SimServer.start(try Simulator(inventory: .default, options: SimOptions()),
                                               tls: SimTLS(certificateFile: pki.serverCertificate, keyFile: pki.serverKey))
        defer { Task { await server.stop() } }
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))

        // ca_bundle: the private CA. Login, then a read that follows the session's links, all over TLS.
        let trusted = session(server.baseURL, CurlHTTPClient(options: .init(caBundle: pki.caFile)))
        let info = try await trusted.connect()
        #expect(info.org == "System")
        let orgs = try await trusted.get("/api/org")
        #expect(orgs.name == "OrgList")
        await trusted.logout()

        // The system's trust store (no ca_bundle) or a CA that did not sign the certificate: refused, not retried.
        for client in [CurlHTTPClient(), CurlHTTPClient(options: .init(caBundle: pki.otherCAFile))] {
            let error = await transportError { try await session(server.baseURL, client).connect() }
            #expect(error?.kind == .tls)
            #expect(error?.message.contains("certificate") == true, "\(error.map { "\($0)" } ?? "connected")")
        }

        // The right CA, but the certificate names another host.
        let elsewhere = try await SimServer.start(try Simulator(inventory: .default, options: SimOptions()),
                                                  tls: SimTLS(certificateFile: pki.wrongNameCertificate, keyFile: pki.wrongNameKey))
        defer { Task { await elsewhere.stop() } }
        let wrongName = await transportError {
            try await session(elsewhere.baseURL, CurlHTTPClient(options: .init(caBundle: pki.caFile))).connect()
        }
        #expect(wrongName?.kind == .tls)
        #expect(wrongName?.message.contains("127.0.0.1") == true, "\(wrongName.map { "\($0)" } ?? "connected")")

        // verify: false connects to the untrusted certificate, and says so once however many requests follow.
        let log = CapturedLog()
        let insecure = session(elsewhere.baseURL, CurlHTTPClient(options: .init(verifyTLS: false), logger: log.logger("cse.vcd")))
        try await insecure.connect()
        _ = try await insecure.get("/api/org")
        _ = try await insecure.get("/api/org")
        let warnings = log.all.filter { $0.hasPrefix("warning") && $0.contains("verification is off") }
        #expect(warnings.count == 1, "\(log.all)")
        #expect(warnings.first?.contains(elsewhere.baseURL) == true, "it names the server: \(warnings)")
        await insecure.logout()
        // No line the client logged holds the password, the Basic credentials, or a session token.
        let basic = Data("administrator@System:sim-admin".utf8).base64EncodedString()
        for line in log.all {
            #expect(!line.contains("sim-admin") && !line.contains(basic) && !line.contains("Bearer ") && !line.lowercased().contains("authorization"),
                    "\(line)")
        }
        // A URL with user information: the warning names scheme, host and port only.
        let urlLog = CapturedLog()
        let client = CurlHTTPClient(options: .init(verifyTLS: false), logger: urlLog.logger("cse.vcd"))
        let withUser = elsewhere.baseURL.replacingOccurrences(of: "https://", with: "https://someone:pw-NEVER-LOG@") + "/api/versions"
        for _ in 0..<3 { _ = try await client.send(HTTPRequest(method: "GET", url: withUser)) }
        #expect(urlLog.all.count == 1 && urlLog.all[0].contains(elsewhere.baseURL), "\(urlLog.all)")
        #expect(urlLog.all.allSatisfy { !$0.contains("pw-NEVER-LOG") && !$0.contains("someone") }, "\(urlLog.all)")
    }

    private func session(_ baseURL: String, _ http: CurlHTTPClient) -> VCDSession {
        VCDSession(baseURL: baseURL, credentials: Credentials(user: "administrator", org: "System", password: "sim-admin"), http: http,
                   retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)))
    }

    private func transportError(_ body: () async throws -> Void) async -> TransportError? {
        do {
            try await body()
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            Issue.record("expected a TLS transport error, got \(error)")
            return nil
        }
    }
}
