import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("API extension registration")
struct ExtensionRegistrationTests {
    @Test func registeringIsIdempotentAndUpdatesChangedSettings() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        var spec = ExtensionServiceSpec(name: "cse", namespace: "cse", exchange: "cse-ext", routingKey: "cse",
                                        urlPatterns: ["/api/cluster", "/api/cluster/.*"])
        #expect(try await admin.registerExtension(spec) == .created)
        #expect(try await admin.registerExtension(spec) == .unchanged)
        spec.routingKey = "cse2"
        #expect(try await admin.registerExtension(spec) == .updated)
        let services = try await admin.query("adminService")
        #expect(services.count == 1)
        #expect(services.first?["routingKey"] == "cse2")
        #expect(services.first?["exchange"] == "cse-ext")
        await #expect(throws: VCDError.self) { try await sim.alice.registerExtension(spec) }
    }

    @Test func matchingRequestsWithoutABrokerAnswer504() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        try await sim.admin().registerExtension(ExtensionServiceSpec(name: "cse", namespace: "cse", exchange: "x", routingKey: "cse",
                                                                      urlPatterns: ["/api/cluster", "/api/cluster/.*"]))
        let token = try #require(try await sim.login("alice", "org1", "sim-alice"))
        let response = try await sim.raw("GET", "/api/cluster", token: token, headers: [("Accept", "application/*+json;version=30.0")])
        #expect(response.status == 504)
        // Paths the extension did not register stay vCD's own.
        #expect(try await sim.raw("GET", "/api/clusters", token: token).status == 404)
    }
}
