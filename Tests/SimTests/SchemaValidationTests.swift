import Foundation
import Testing
import VCDClient
import VCDSim

/// The simulator validates XML request bodies against vCD's own XSDs (../shared/vcd-api-schemas), as vCD does.
@Suite struct SchemaValidationTests {
    static var schemas: String {
        ProcessInfo.processInfo.environment[SchemaValidator.environmentVariable] ?? "../shared/vcd-api-schemas"
    }

    static func start() async throws -> SimHarness {
        try await SimHarness.start { $0.schemasDirectory = schemas }
    }

    static func composeBody(name: String, network: VCDSession.NamedRef, descriptionLast: Bool) -> String {
        let description = "<Description>test</Description>"
        let instantiation = "<InstantiationParams><NetworkConfigSection><ovf:Info>networks</ovf:Info>"
            + "<NetworkConfig networkName=\"\(network.name)\"><Configuration><ParentNetwork href=\"\(network.href)\"/>"
            + "<FenceMode>bridged</FenceMode></Configuration></NetworkConfig></NetworkConfigSection></InstantiationParams>"
        return "<ComposeVAppParams xmlns=\"http://www.vmware.com/vcloud/v1.5\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" name=\"\(name)\">"
            + (descriptionLast ? instantiation + description : description + instantiation) + "</ComposeVAppParams>"
    }

    @Test func elementsInTheWrongOrderAreRejectedWithLibxml2sMessage() async throws {
        let sim = try await Self.start()
        defer { Task { await sim.stop() } }
        let token = try #require(try await sim.login("alice", "org1", "sim-alice"))
        let session = sim.alice
        let vdc = try await session.vdcNamed("org1-vdc", org: "org1")
        let network = session.networks(of: vdc)[0]
        let href = try #require(vdc.link(rel: "add", type: MediaType.composeVAppParams)?.href)
        let headers = [("Content-Type", MediaType.composeVAppParams), ("Accept", "application/*+xml;version=36.0")]

        let wrong = try await sim.raw("POST", href, token: token, body: Self.composeBody(name: "v-wrong", network: network, descriptionLast: true),
                                      headers: headers)
        #expect(wrong.status == 400)
        #expect(wrong.text.contains("BAD_REQUEST"))
        #expect(wrong.text.contains("Description"), "libxml2 names the element: \(wrong.text)")
        #expect(wrong.text.contains("This element is not expected"), "\(wrong.text)")

        let right = try await sim.raw("POST", href, token: token, body: Self.composeBody(name: "v-right", network: network, descriptionLast: false),
                                      headers: headers)
        #expect(right.status == 201, "\(right.text)")
    }

    @Test func malformedAndUnknownRootsAreRejected() async throws {
        let sim = try await Self.start()
        defer { Task { await sim.stop() } }
        let token = try #require(try await sim.login("alice", "org1", "sim-alice"))
        let vdc = try await sim.alice.vdcNamed("org1-vdc", org: "org1")
        let href = try #require(vdc.link(rel: "add", type: MediaType.composeVAppParams)?.href)
        let headers = [("Content-Type", MediaType.composeVAppParams), ("Accept", "application/*+xml;version=36.0")]
        let malformed = try await sim.raw("POST", href, token: token, body: "<ComposeVAppParams", headers: headers)
        #expect(malformed.status == 400)
        let unknown = try await sim.raw("POST", href, token: token, body: "<Nonsense xmlns=\"http://www.vmware.com/vcloud/v1.5\"/>", headers: headers)
        #expect(unknown.status == 400)
        #expect(unknown.text.contains("No matching global declaration"), "\(unknown.text)")
    }

    @Test func aMissingSchemaDirectoryIsAClearSetupError() throws {
        var options = SimOptions()
        options.schemasDirectory = "/nonexistent/vcd-api-schemas"
        #expect(throws: (any Error).self) { _ = try Simulator(options: options) }
    }
}
