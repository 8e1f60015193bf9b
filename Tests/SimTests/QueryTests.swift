import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator query service")
struct QueryTests {
    @Test func pagingFollowsNextPageAndCountsCalls() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        for index in 0..<12 { _ = try await admin.composeAndWait(String(format: "app%02d", index), vdc: "org1-vdc", org: "org1") }
        try await sim.resetCounters()
        let records = try await admin.query("adminVApp", pageSize: 5)
        #expect(records.compactMap(\.name) == (0..<12).map { String(format: "app%02d", $0) })
        #expect(try await sim.counters()["query adminVApp"] == 3)
        // Default page size 25 and the 128 maximum.
        let page = try XMLTree.parse(try await admin.send("GET", "/api/query?type=adminVApp").body)
        #expect(page["pageSize"] == "25" && page["total"] == "12")
        let capped = try XMLTree.parse(try await admin.send("GET", "/api/query?type=adminVApp&pageSize=1000").body)
        #expect(capped["pageSize"] == "128")
        await #expect(throws: VCDError.self) { _ = try await admin.send("GET", "/api/query?type=adminVApp&page=9") }
    }

    @Test func filtersOnNamesAndMetadataEncodedOrRaw() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let tagged = try await admin.composeAndWait("tagged", vdc: "org1-vdc", org: "org1")
        _ = try await admin.composeAndWait("plain", vdc: "org1-vdc", org: "org1")
        _ = try await admin.composeAndWait("other", vdc: "org2-vdc", org: "org2")
        try await admin.wait(for: try await admin.mergeMetadata(tagged["href"]!, [.system("cse.cluster.id", "abc", visibility: .readOnly), .general("tier", "gold")]),
                             pollInterval: .milliseconds(20))
        let byMetadata = try await admin.query("adminVApp", filter: "metadata@SYSTEM:cse.cluster.id==STRING:*",
                                               fields: ["name", "metadata@SYSTEM:cse.cluster.id", "metadata:tier"])
        #expect(byMetadata.map(\.name) == ["tagged"])
        #expect(byMetadata.first?.metadata == ["cse.cluster.id": "abc", "tier": "gold"])
        // `metadata:` names the GENERAL domain only: the SYSTEM entry is not found through it.
        #expect(try await admin.query("adminVApp", filter: "metadata:cse.cluster.id==STRING:*").isEmpty)
        #expect(try await admin.query("adminVApp", filter: "metadata@SYSTEM:tier==STRING:*").isEmpty)
        await #expect(throws: VCDError.self) { _ = try await admin.query("adminVApp", filter: "metadata@OTHER:tier==STRING:*") }
        #expect(try await admin.query("adminVApp", filter: "name==p*").map(\.name) == ["plain"])
        #expect(try await admin.query("adminVApp", filter: "vdcName==org1-vdc;name!=plain").map(\.name) == ["tagged"])
        #expect(try await admin.query("adminVApp", filter: "name==plain,name==other").compactMap(\.name).sorted() == ["other", "plain"])
        #expect(try await admin.query("adminVApp", sortAsc: nil).count == 3)
        // pyvcloud 18 appends the filter unencoded; both forms must work.
        let raw = try XMLTree.parse(try await admin.send("GET", "/api/query?type=adminVApp&filter=(name==tagged;vdcName==org1-vdc)").body)
        #expect(raw.children.filter { $0.name == "AdminVAppRecord" }.map { $0["name"] } == ["tagged"])
        let descending = try XMLTree.parse(try await admin.send("GET", "/api/query?type=adminVApp&sortDesc=name").body)
        #expect(descending.children.filter { $0.name == "AdminVAppRecord" }.compactMap { $0["name"] } == ["tagged", "plain", "other"])
        await #expect(throws: VCDError.self) { _ = try await admin.query("adminVApp", filter: "name") }
        await #expect(throws: VCDError.self) { _ = try await admin.query("noSuchType") }
    }

    @Test func formatsAndTheQueryList() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        _ = try await admin.composeAndWait("x", vdc: "org1-vdc", org: "org1")
        let ids = try XMLTree.parse(try await admin.send("GET", "/api/query?type=adminVApp&format=idrecords").body)
        #expect(ids.children.first { $0.name == "AdminVAppRecord" }?["id"]?.hasPrefix("urn:vcloud:vapp:") == true)
        let references = try XMLTree.parse(try await admin.send("GET", "/api/query?type=vApp&format=references").body)
        #expect(references.name == "QueryResultReferences")
        #expect(references.children.contains { $0.name == "VAppReference" && $0["name"] == "x" })
        let list = try await admin.get("/api/query")
        #expect(list.links.contains { $0.name == "adminVApp" && $0.type == "application/vnd.vmware.vcloud.query.records+xml" })
        let tenantList = try await sim.alice.get("/api/query")
        #expect(!tenantList.links.contains { $0.name == "adminVApp" })
        for type in ["vm", "adminVM", "vAppTemplate", "catalogItem", "adminCatalogItem", "orgVdcNetwork", "task", "adminTask", "adminService",
                     "organization", "orgVdc", "catalog"] {
            _ = try await admin.query(type)
        }
        #expect(try await sim.alice.query("orgVdcNetwork").map(\.name) == ["intranet"])
    }
}
