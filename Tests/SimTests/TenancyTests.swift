import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator tenancy")
struct TenancyTests {
    @Test func tenantsSeeOnlyTheirOrgAndAdminsSeeAll() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin(), alice = sim.alice, carol = sim.carol
        #expect(try await admin.get("/api/org").all("Org").compactMap { $0["name"] }.sorted() == ["System", "cse", "org1", "org2"])
        #expect(try await alice.get("/api/org").all("Org").compactMap { $0["name"] } == ["org1"])
        _ = try await alice.composeAndWait("alice-app", vdc: "org1-vdc", org: "org1")
        _ = try await carol.composeAndWait("carol-app", vdc: "org2-vdc", org: "org2")
        #expect(try await alice.query("vApp").compactMap(\.name) == ["alice-app"])
        #expect(try await carol.query("vApp").compactMap(\.name) == ["carol-app"])
        #expect(try await admin.query("adminVApp").compactMap(\.name).sorted() == ["alice-app", "carol-app"])
        // Admin query types and other orgs' entities are refused to tenants.
        await #expect(throws: VCDError.self) { _ = try await alice.query("adminVApp") }
        let org2Href = try await admin.get("/api/org").all("Org").first { $0["name"] == "org2" }!["href"]!
        do {
            _ = try await alice.get(org2Href)
            Issue.record("alice read org2")
        } catch let error as VCDError {
            #expect(error.status == 403)
        }
        let carolsApp = try await carol.query("vApp")[0].href!
        await #expect(throws: VCDError.self) { _ = try await alice.delete(carolsApp) }
        #expect(try await carol.query("vApp").count == 1)
    }

    @Test func extensionAdministrationIsForSystemAdministrators() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let alice = sim.alice
        do {
            _ = try await alice.get("/api/admin/extension/service")
            Issue.record("a tenant listed extension services")
        } catch let error as VCDError {
            #expect(error.status == 403)
        }
    }
}
