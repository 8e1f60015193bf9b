import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator sessions and versions over HTTP")
struct SessionTests {
    @Test func theClientNegotiatesTheHighestVersionAndHonoursAPinnedOne() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let info = try await admin.connect()
        #expect(info.isSystemAdministrator)
        #expect(await admin.apiVersion == "37.0")
        let pinned = VCDSession(baseURL: sim.baseURL, credentials: Credentials(user: "alice", org: "org1", password: "sim-alice"), apiVersion: "30.0")
        try await pinned.connect()
        #expect(await pinned.apiVersion == "30.0")
    }

    @Test func wrongPasswordIs401AndUnknownVersionIsRefused() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        #expect(try await sim.login("alice", "org1", "wrong") == nil)
        #expect(try await sim.login("alice", "org2", "sim-alice") == nil)
        let token = try #require(try await sim.login("alice", "org1", "sim-alice"))
        let old = try await sim.raw("GET", "/api/org", token: token, headers: [("Accept", "application/*+xml;version=5.1")])
        #expect(old.status == 406)
        #expect(try XMLTree.parse(old.body)["message"]?.hasPrefix("The request has invalid accept header: Invalid API version requested. Supported API versions are: [37.0, 36.0,") == true)
        let failing = sim.session("alice", "org1", "nope")
        await #expect(throws: VCDError.self) { try await failing.connect() }
    }

    @Test func expiredSessionsGet401AndTheClientLogsInAgain() async throws {
        // Long enough that a loaded machine answers a read (and a new login's repeat) inside the session: 0.3 s and 2 s were
        // not, with five builds sharing two cores.
        let sim = try await SimHarness.start { $0.sessionSeconds = 5 }
        defer { Task { await sim.stop() } }
        let token = try #require(try await sim.login("alice", "org1", "sim-alice"))
        #expect(try await sim.raw("GET", "/api/session", token: token).status == 200)
        try await Task.sleep(for: .milliseconds(5100))
        #expect(try await sim.raw("GET", "/api/session", token: token).status == 401)
        let alice = sim.alice
        _ = try await alice.get("/api/org")
        try await Task.sleep(for: .milliseconds(5100))
        // The client sees 401, logs in once more and repeats the read.
        let list = try await alice.get("/api/org")
        #expect(list.all("Org").map { $0["name"] } == ["org1"])
        let counters = try await sim.counters()
        #expect(counters["POST /cloudapi/1.0.0/sessions"] == 2)
    }

    @Test func logoutEndsTheSession() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let token = try #require(try await sim.login("bob", "org1", "sim-bob"))
        #expect(try await sim.raw("DELETE", "/api/session", token: token).status == 204)
        #expect(try await sim.raw("GET", "/api/org", token: token).status == 401)
    }

    @Test func tenantTokensAreValidatedThroughGetSession() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let token = try #require(try await sim.login("carol", "org2", "sim-carol"))
        let caller = try #require(try await admin.validate(tenantToken: .legacy(token)))
        #expect(caller.user == "carol" && caller.org == "org2" && !caller.isSystemAdministrator)
        #expect(try await admin.validate(tenantToken: .legacy("forged-token")) == nil)
    }

    @Test func errorsAreVCDErrorDocumentsMappedToTypedErrors() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        do {
            _ = try await admin.get("/api/vApp/vapp-00000000-0000-4000-8000-000000000000")
            Issue.record("reading a missing vApp succeeded")
        } catch let error as VCDError {
            #expect(error.status == 403)
            #expect(error.minorErrorCode == "ACCESS_TO_RESOURCE_IS_FORBIDDEN")
            #expect(error.isNotFound)
        }
        do {
            _ = try await admin.send("POST", "/api/query?type=adminVApp")
            Issue.record("POST to the query service succeeded")
        } catch let error as VCDError {
            #expect(error.status == 405)
        }
    }
}
