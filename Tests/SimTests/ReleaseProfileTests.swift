import Foundation
import Testing
import VCDClient
@testable import VCDSim

/// `cse sim --vcd-version`: each release's /api/versions, cloudapi sessions and the end of legacy login, and the
/// client's negotiation and login against them.
@Suite("Simulator release profiles and the client's login")
struct ReleaseProfileTests {
    static func basic(_ user: String, _ org: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user)@\(org):\(password)".utf8).base64EncodedString())
    }

    @Test func vcd104AdvertisesCloudapiLoginFor36And37() async throws {
        let sim = try await SimHarness.start { $0.vcdVersion = "10.4" }
        defer { Task { await sim.stop() } }
        let infos = try XMLTree.parse(try await sim.raw("GET", "/api/versions").body).all("VersionInfo")
        func info(_ version: String) -> XMLTree? { infos.first { $0.first("Version")?.text == version } }
        for version in ["36.0", "37.0"] {
            let entry = try #require(info(version))
            #expect(entry["deprecated"] == "false")
            #expect(entry.first("LoginUrl")?.text == sim.baseURL + "/cloudapi/1.0.0/sessions")
            #expect(entry.first("ProviderLoginUrl")?.text == sim.baseURL + "/cloudapi/1.0.0/sessions/provider")
        }
        #expect(info("29.0")?["deprecated"] == "true")
        #expect(info("35.0")?.first("LoginUrl")?.text == sim.baseURL + "/api/sessions")
        #expect(info("35.0")?.first("ProviderLoginUrl") == nil)
        #expect(info("38.0") == nil)
    }

    @Test func providerLoginWithBasicGivesABearerJWT() async throws {
        let sim = try await SimHarness.start { $0.vcdVersion = "10.4" }
        defer { Task { await sim.stop() } }
        let answer = try await sim.raw("POST", "/cloudapi/1.0.0/sessions/provider",
                                       headers: [Self.basic("administrator", "System", "sim-admin"), ("Accept", "application/json;version=37.0")])
        #expect(answer.status == 200)
        let token = try #require(answer.header("X-VMWARE-VCLOUD-ACCESS-TOKEN"))
        #expect(token.split(separator: ".").count == 3)
        #expect(answer.header("X-VMWARE-VCLOUD-TOKEN-TYPE") == "Bearer")
        #expect(answer.header("x-vcloud-authorization") == nil)
        let session = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect((session["user"] as? [String: Any])?["name"] as? String == "administrator")
        #expect((session["org"] as? [String: Any])?["name"] as? String == "System")
        // Bearer works on /api; the same JWT in x-vcloud-authorization is no session.
        let bearer = ("Authorization", "Bearer \(token)")
        #expect(try await sim.raw("GET", "/api/org", headers: [bearer, ("Accept", "application/*+xml;version=37.0")]).status == 200)
        #expect(try await sim.raw("GET", "/api/org", token: token).status == 401)
        // sessions/current reads and ends the session.
        let current = try await sim.raw("GET", "/cloudapi/1.0.0/sessions/current", headers: [bearer, ("Accept", "application/json;version=37.0")])
        #expect(current.status == 200 && current.text.contains("administrator"))
        #expect(try await sim.raw("DELETE", "/cloudapi/1.0.0/sessions/current", headers: [bearer]).status == 204)
        #expect(try await sim.raw("GET", "/api/org", headers: [bearer]).status == 401)
    }

    @Test func providerEndpointTakesOnlySystemAndTenantEndpointOnlyTenants() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let tenantAtProvider = try await sim.raw("POST", "/cloudapi/1.0.0/sessions/provider", headers: [Self.basic("alice", "org1", "sim-alice")])
        #expect(tenantAtProvider.status == 401 && tenantAtProvider.header("X-VMWARE-VCLOUD-ACCESS-TOKEN") == nil)
        #expect((try JSONSerialization.jsonObject(with: tenantAtProvider.body) as? [String: Any])?["minorErrorCode"] as? String == "UNAUTHORIZED")
        let systemAtTenant = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("administrator", "System", "sim-admin")])
        #expect(systemAtTenant.status == 401)
        let tenant = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("alice", "org1", "sim-alice")])
        #expect(tenant.status == 200 && tenant.header("X-VMWARE-VCLOUD-ACCESS-TOKEN") != nil)
        let wrongPassword = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("alice", "org1", "nope")])
        #expect(wrongPassword.status == 401)
        // Before 33.0 there were no cloudapi sessions.
        let old = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("alice", "org1", "sim-alice"), ("Accept", "application/json;version=32.0")])
        #expect(old.status == 406)
    }

    @Test func legacyLoginEndsAt38AndIsGoneOn106() async throws {
        let alice = Self.basic("alice", "org1", "sim-alice")
        for (release, version, status) in [("10.4", "30.0", 200), ("10.4", "37.0", 200), ("10.5", "37.0", 200), ("10.5", "38.0", 405)] {
            let sim = try await SimHarness.start { $0.vcdVersion = release }
            let answer = try await sim.raw("POST", "/api/sessions", headers: [alice, ("Accept", "application/*+xml;version=\(version)")])
            #expect(answer.status == status, "POST /api/sessions at \(version) on \(release)")
            #expect((answer.header("x-vcloud-authorization") != nil) == (status == 200))
            await sim.stop()
        }
        let sim105 = try await SimHarness.start { $0.vcdVersion = "10.5" }
        defer { Task { await sim105.stop() } }
        let legacy = try #require(try await sim105.login("alice", "org1", "sim-alice"))
        #expect(try await sim105.raw("DELETE", "/api/session", token: legacy, headers: [("Accept", "application/*+xml;version=38.0")]).status == 405)
        #expect(try await sim105.raw("DELETE", "/api/session", token: legacy, headers: [("Accept", "application/*+xml;version=37.0")]).status == 204)

        let sim106 = try await SimHarness.start { $0.vcdVersion = "10.6" }
        defer { Task { await sim106.stop() } }
        for version in ["37.0", "38.0", "39.0"] {
            let answer = try await sim106.raw("POST", "/api/sessions", headers: [alice, ("Accept", "application/*+xml;version=\(version)")])
            #expect(answer.status == 405 && answer.header("x-vcloud-authorization") == nil, "POST /api/sessions at \(version) on 10.6")
        }
        #expect(try await sim106.raw("POST", "/api/sessions", headers: [alice]).status == 405)
    }

    @Test(arguments: [("10.3", "36.0"), ("10.4", "37.0"), ("10.5", "38.0"), ("10.6", "39.0")])
    func theClientLogsInThroughCloudapiOnEveryRelease(release: String, expected: String) async throws {
        let sim = try await SimHarness.start { $0.vcdVersion = release }
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let info = try await admin.connect()
        #expect(await admin.apiVersion == expected)
        #expect(info.user == "administrator" && info.isSystemAdministrator)
        let userID = try #require(info.userID)
        #expect(info.userHref == sim.baseURL + "/api/admin/user/" + userID.dropFirst("urn:vcloud:user:".count))
        let alice = sim.alice
        let tenant = try await alice.connect()
        #expect(tenant.org == "org1" && !tenant.isSystemAdministrator && tenant.userHref != nil)
        #expect(try await alice.get("/api/org").all("Org").map { $0["name"] } == ["org1"])
        let counters = try await sim.counters()
        #expect(counters["POST /cloudapi/1.0.0/sessions/provider"] == 1)
        #expect(counters["POST /cloudapi/1.0.0/sessions"] == 1)
        #expect(counters["POST /api/sessions"] == nil)
        // Logout ends the Bearer session in vCD.
        await alice.logout()
        let bearer = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("alice", "org1", "sim-alice")])
        #expect(bearer.status == 200)
        #expect(try await sim.counters()["DELETE /cloudapi/1.0.0/sessions/current"] == 1)
    }

    @Test func aPinnedDeprecatedVersionIsKeptAndAnUnofferedOneIsAClearError() async throws {
        let sim = try await SimHarness.start { $0.vcdVersion = "10.4" }
        defer { Task { await sim.stop() } }
        // 29.0 is deprecated on 10.4 and still used when pinned, through the legacy login it advertises.
        let pinned = VCDSession(baseURL: sim.baseURL, credentials: Credentials(user: "administrator", org: "System", password: "sim-admin"), apiVersion: "29.0")
        let info = try await pinned.connect()
        #expect(await pinned.apiVersion == "29.0" && info.isSystemAdministrator)
        #expect(try await sim.counters()["POST /api/sessions"] == 1)
        #expect(try await pinned.get("/api/org").all("Org").count == 4)

        let sim106 = try await SimHarness.start { $0.vcdVersion = "10.6" }
        defer { Task { await sim106.stop() } }
        let gone = VCDSession(baseURL: sim106.baseURL, credentials: Credentials(user: "administrator", org: "System", password: "sim-admin"), apiVersion: "29.0")
        do {
            try await gone.connect()
            Issue.record("a version 10.6 does not offer was used")
        } catch let error as VCDError {
            #expect(error.message.contains("29.0 is not offered"))
        }
    }

    @Test func negotiationPicksEndpointsAndRefusesWithoutACommonVersion() throws {
        let base = "https://vcd.example.com"
        let offered = [
            OfferedVersion(version: "35.0", deprecated: false, loginURL: base + "/api/sessions", providerLoginURL: nil),
            OfferedVersion(version: "36.0", deprecated: false, loginURL: base + "/cloudapi/1.0.0/sessions", providerLoginURL: base + "/cloudapi/1.0.0/sessions/provider"),
            OfferedVersion(version: "37.0", deprecated: true, loginURL: base + "/cloudapi/1.0.0/sessions", providerLoginURL: nil),
        ]
        let system = try VersionNegotiation.plan(offered: offered, pinned: nil, supported: VCDSession.supportedVersions, org: "System", baseURL: base)
        #expect(system.version == "36.0" && system.warning == nil)
        #expect(system.endpoint == .cloudapi(base + "/cloudapi/1.0.0/sessions/provider"))
        let tenant = try VersionNegotiation.plan(offered: offered, pinned: nil, supported: VCDSession.supportedVersions, org: "org1", baseURL: base)
        #expect(tenant.endpoint == .cloudapi(base + "/cloudapi/1.0.0/sessions"))
        // Pinned and deprecated: kept, with a warning; without ProviderLoginUrl System qualifies LoginUrl with /provider.
        let pinned = try VersionNegotiation.plan(offered: offered, pinned: "37.0", supported: VCDSession.supportedVersions, org: "system", baseURL: base)
        #expect(pinned.version == "37.0" && pinned.warning?.contains("deprecated") == true)
        #expect(pinned.endpoint == .cloudapi(base + "/cloudapi/1.0.0/sessions/provider"))
        let legacy = try VersionNegotiation.plan(offered: offered, pinned: "35.0", supported: VCDSession.supportedVersions, org: "System", baseURL: base)
        #expect(legacy.endpoint == .legacy(base + "/api/sessions"))
        #expect(throws: VCDError.self) {
            try VersionNegotiation.plan(offered: Array(offered.prefix(1)), pinned: nil, supported: VCDSession.supportedVersions, org: "System", baseURL: base)
        }
        do {
            _ = try VersionNegotiation.plan(offered: Array(offered.prefix(1)), pinned: nil, supported: VCDSession.supportedVersions, org: "System", baseURL: base)
        } catch let error as VCDError {
            #expect(error.message.contains("no common API version") && error.message.contains("35.0"))
        }
    }

    @Test(arguments: SimReleaseProfile.all.map(\.release))
    func bearerTenantTokensAreValidatedAsBearer(release: String) async throws {
        let sim = try await SimHarness.start { $0.vcdVersion = release }
        defer { Task { await sim.stop() } }
        let answer = try await sim.raw("POST", "/cloudapi/1.0.0/sessions", headers: [Self.basic("carol", "org2", "sim-carol")])
        let jwt = try #require(answer.header("X-VMWARE-VCLOUD-ACCESS-TOKEN"))
        let admin = sim.admin()
        // As a forwarded extension request carries it (header names lower-cased).
        let token = try #require(SessionToken(requestHeaders: ["authorization": "Bearer \(jwt)", "accept": "application/json"]))
        #expect(token == .bearer(jwt))
        #expect(SessionToken(requestHeaders: ["x-vcloud-authorization": "abc"]) == .legacy("abc"))
        #expect(SessionToken(requestHeaders: ["authorization": "Basic YTpi"]) == nil)
        let caller = try #require(try await admin.validate(tenantToken: token))
        #expect(caller.user == "carol" && caller.org == "org2")
        // The same JWT replayed as x-vcloud-authorization is refused by the simulator, as by vCD.
        #expect(try await admin.validate(tenantToken: .legacy(jwt)) == nil)
    }

    @Test func unknownReleaseIsASetupError() {
        var options = SimOptions()
        options.vcdVersion = "9.7"
        #expect(throws: SimSetupError.self) { try Simulator(options: options) }
    }
}
