import Foundation
import Testing
@testable import VCDClient
@testable import VCDSim

/// vCD's metadata domains as the simulator enforces them: SYSTEM entries are written by system administrators only,
/// PRIVATE ones are hidden from tenants, and the query service keeps `metadata:` (GENERAL) and `metadata@SYSTEM:` apart.
@Suite("Simulator metadata domains")
struct MetadataDomainTests {
    private func expectStatus(_ status: Int, _ work: () async throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
        do {
            try await work()
            Issue.record("expected HTTP \(status), the request succeeded", sourceLocation: sourceLocation)
        } catch let error as VCDError {
            #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aTenantCannotWriteOrDeleteSystemEntriesAndDoesNotSeePrivateOnes() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin(), bob = sim.session("bob", "org1", "sim-bob", retry: .none)
        let href = try #require(try await bob.composeAndWait("bobs", vdc: "org1-vdc", org: "org1")["href"])
        try await admin.wait(for: try await admin.mergeMetadata(href, [.system("cse.cluster.id", "c-1", visibility: .readOnly),
                                                                        .system("cse.spec.hash", "h1", visibility: .private)]),
                             pollInterval: .milliseconds(20))
        // Writes to the SYSTEM domain, in every form, are refused to a tenant who may edit the vApp.
        await expectStatus(403) { _ = try await bob.setMetadataValue(href, .system("cse.cluster.id", "forged", visibility: .readOnly)) }
        await expectStatus(403) { _ = try await bob.mergeMetadata(href, [.system("cse.cluster.id", "forged", visibility: .readOnly)]) }
        await expectStatus(403) { _ = try await bob.mergeMetadata(href, [.system("cse.new", "x", visibility: .private)]) }
        await expectStatus(403) { _ = try await bob.deleteMetadata(href, key: "cse.cluster.id", domain: .system) }
        await expectStatus(403) { _ = try await bob.deleteMetadata(href, key: "cse.spec.hash", domain: .system) }
        // GENERAL entries are his to write; they live beside the SYSTEM ones with the same key.
        try await bob.wait(for: try await bob.mergeMetadata(href, [.general("cse.cluster.id", "copy")]), pollInterval: .milliseconds(20))
        let seenByBob = try await bob.metadata(of: href)
        #expect(Set(seenByBob) == [.system("cse.cluster.id", "c-1", visibility: .readOnly), .general("cse.cluster.id", "copy")])
        let seenByAdmin = try await admin.metadata(of: href)
        #expect(seenByAdmin.contains(.system("cse.spec.hash", "h1", visibility: .private)))
        #expect(seenByAdmin.count == 3)
        await expectStatus(403) { _ = try await bob.get(href + "/metadata/SYSTEM/cse.spec.hash") }
        let readOnly = try await bob.get(href + "/metadata/SYSTEM/cse.cluster.id")
        #expect(readOnly.path("TypedValue", "Value")?.text == "c-1")
        #expect(readOnly.link(rel: "remove") == nil && readOnly.link(rel: "edit") == nil)
        #expect(try await admin.get(href + "/metadata/SYSTEM/cse.cluster.id").link(rel: "remove") != nil)
        #expect(try await admin.get(href + "/metadata/SYSTEM/cse.spec.hash").first("Domain")?["visibility"] == "PRIVATE")
        // The SYSTEM values are untouched by all of it.
        let audit = try await sim.audit()
        let vApp = try #require((audit["vApps"] as? [[String: Any]])?.first)
        #expect(vApp["systemMetadata"] as? [String: String] == ["cse.cluster.id": "c-1", "cse.spec.hash": "h1"])
        #expect(vApp["metadata"] as? [String: String] == ["cse.cluster.id": "copy"])
        // The query service: PRIVATE entries neither match nor show for tenants.
        #expect(try await bob.query("vApp", filter: "metadata@SYSTEM:cse.cluster.id==STRING:c-1").compactMap(\.name) == ["bobs"])
        #expect(try await bob.query("vApp", filter: "metadata@SYSTEM:cse.spec.hash==STRING:*").isEmpty)
        #expect(try await bob.query("vApp", fields: ["name", "metadata@SYSTEM:cse.spec.hash"]).first?.metadata.isEmpty == true)
        #expect(try await admin.query("adminVApp", filter: "metadata@SYSTEM:cse.spec.hash==STRING:h1", fields: ["name", "metadata@SYSTEM:cse.spec.hash"])
            .first?.metadata == ["cse.spec.hash": "h1"])
        #expect(try await admin.query("adminVApp", filter: "metadata:cse.cluster.id==STRING:copy", fields: ["name", "metadata:cse.cluster.id"])
            .first?.metadata == ["cse.cluster.id": "copy"])
        // An administrator removes a SYSTEM entry through its domain's URL.
        try await admin.wait(for: try await admin.deleteMetadata(href, key: "cse.spec.hash", domain: .system), pollInterval: .milliseconds(20))
        #expect(try await admin.metadata(of: href).count == 2)
    }

    @Test func domainAndVisibilityMustAgree() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin(retry: .none)
        let href = try #require(try await admin.composeAndWait("rules", vdc: "org1-vdc", org: "org1")["href"])
        func post(_ entry: String) async throws {
            let answer = try await admin.send("POST", href + "/metadata", xml: """
                <Metadata xmlns="http://www.vmware.com/vcloud/v1.5" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\(entry)</Metadata>
                """, contentType: MediaType.metadata)
            try await admin.wait(for: try VCDTask(answer), pollInterval: .milliseconds(20))
        }
        let value = #"<TypedValue xsi:type="MetadataStringValue"><Value>v</Value></TypedValue>"#
        // SYSTEM with READWRITE and GENERAL with READONLY are not pairs vCD accepts (pyvcloud's MetadataDomain notes).
        await expectStatus(400) { try await post(#"<MetadataEntry><Domain visibility="READWRITE">SYSTEM</Domain><Key>k</Key>"# + value + "</MetadataEntry>") }
        await expectStatus(400) { try await post(#"<MetadataEntry><Domain visibility="READONLY">GENERAL</Domain><Key>k</Key>"# + value + "</MetadataEntry>") }
        await expectStatus(400) { try await post(#"<MetadataEntry><Domain visibility="READONLY">OTHER</Domain><Key>k</Key>"# + value + "</MetadataEntry>") }
        await expectStatus(400) { try await post("<MetadataEntry><Key>k</Key></MetadataEntry>") }
        await expectStatus(400) { try await post("<MetadataEntry><Key>" + String(repeating: "k", count: 257) + "</Key>" + value + "</MetadataEntry>") }
        // A MetadataValue whose Domain disagrees with its URL is refused.
        await expectStatus(400) {
            _ = try await admin.send("PUT", href + "/metadata/k", xml: VCDSession.metadataValueDocument(.system("k", "v", visibility: .readOnly)),
                                     contentType: MediaType.metadataValue)
        }
        // No Domain element means GENERAL.
        try await post("<MetadataEntry><Key>k</Key>" + value + "</MetadataEntry>")
        #expect(try await admin.query("adminVApp", filter: "metadata:k==STRING:*").count == 1)
        await expectStatus(403) { _ = try await admin.get(href + "/metadata/SYSTEM/absent") }
    }

    /// The bodies cse sends validate against vCD's schemas (common.xsd), with the simulator's libxml2 validator.
    @Test func metadataBodiesValidateAgainstTheSchemas() throws {
        let directory = ProcessInfo.processInfo.environment[SchemaValidator.environmentVariable] ?? "/work/shared/vcd-api-schemas"
        guard FileManager.default.fileExists(atPath: directory + "/all.xsd") else { return }
        let validator = try SchemaValidator.load(directory: directory)
        let bodies = [
            VCDSession.metadataDocument([.system("cse.cluster.id", "a&b<c>", visibility: .readOnly), .system("cse.spec.hash", "h", visibility: .private)]),
            VCDSession.metadataValueDocument(.system("cse.guest.ready", "true", visibility: .private)),
            VCDSession.metadataDocument([.general("tier", "gold")]),
        ]
        for body in bodies {
            #expect(validator.problem(in: Data(body.utf8)) == nil, "\(body)")
        }
        // And the check can fail: Key before Domain is out of MetadataEntryType's order.
        let misordered = #"<Metadata xmlns="http://www.vmware.com/vcloud/v1.5" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><MetadataEntry><Key>k</Key><Domain visibility="READONLY">SYSTEM</Domain><TypedValue xsi:type="MetadataStringValue"><Value>v</Value></TypedValue></MetadataEntry></Metadata>"#
        #expect(validator.problem(in: Data(misordered.utf8)) != nil)
    }
}
