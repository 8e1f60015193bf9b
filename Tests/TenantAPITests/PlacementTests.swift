import Foundation
import Testing
import Store
import Spec
import VCDClient
import VCDSim
@testable import TenantAPI

/// Creates that can never succeed are refused at once, checked against a real (simulated) vCD scoped by the org.
@Suite struct PlacementTests {
    static func withPlacements(_ body: (APIHarness) async throws -> Void) async throws {
        let simulator = try Simulator(inventory: .default, options: SimOptions())
        let server = try await SimServer.start(simulator)
        let session = VCDSession(baseURL: server.baseURL, credentials: Credentials(user: "administrator", org: "System", password: "sim-admin"))
        try await session.connect()
        let h = try APIHarness(placements: VCDPlacements(session: session))
        do {
            try await body(h)
        } catch {
            h.cleanUp()
            await server.stop()
            throw error
        }
        h.cleanUp()
        await session.logout()
        await server.stop()
    }

    @Test func anotherOrgsVdcIs404AndNothingIsWritten() async throws {
        try await Self.withPlacements { h in
            // org2-vdc exists, but in org2: alice (org1) cannot place a cluster there.
            let (status, json) = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c1", vdc: "org2-vdc"))
            #expect(status == 404)
            #expect((json as? [String: String])?["message"] == "vdc 'org2-vdc' not found in org 'org1'")
            let stored = try h.store.objects(kind: .cluster)
            #expect(stored.isEmpty)
            #expect(await h.tasks.created.isEmpty)
        }
    }

    @Test func aMissingVdcIs404AndAnotherVdcsNetworkIs400() async throws {
        try await Self.withPlacements { h in
            let missing = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c1", vdc: "no-such-vdc"))
            #expect(missing.status == 404)
            var body = APIHarness.createBody("c1")
            body["network"] = "org2-net"
            let network = await h.send("POST", "/api/cluster", token: "t-alice", body: body)
            #expect(network.status == 400)
            #expect((network.json as? [String: String])?["message"] == "network 'org2-net' is not available in vdc 'org1-vdc' (its networks: intranet)")
            let stored = try h.store.objects(kind: .cluster)
            #expect(stored.isEmpty)
            // The right place is accepted.
            #expect(await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c1")).status == 202)
        }
    }
}
