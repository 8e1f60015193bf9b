import Foundation
import Testing
@testable import VCDSim

/// Query records as pyvcloud/vcd-cli read them (`vcd vapp list` shows these attributes).
@Suite struct SimQueryRecordTests {
    private func send(_ simulator: Simulator, _ method: String, _ path: String, query: [String: String] = [:], token: String? = nil,
                      body: String = "") async -> SimResponse {
        var headers = ["Accept": "application/*+xml;version=30.0"]
        if let token { headers["x-vcloud-authorization"] = token }
        return await simulator.handle(SimRequest(method: method, path: path, query: query, headers: headers, body: Data(body.utf8)))
    }

    private func login(_ simulator: Simulator, _ login: String) async throws -> String {
        var request = SimRequest(method: "POST", path: "/api/sessions", headers: ["Authorization": "Basic " + Data(login.utf8).base64EncodedString()])
        request.headers["accept"] = "application/*+xml;version=30.0"
        let response = await simulator.handle(request)
        #expect(response.status == 200)
        return try #require(response.headers["x-vcloud-authorization"])
    }

    private func text(_ response: SimResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func vAppRecordsTotalTheirVMsAndStayInTheOrg() async throws {
        let simulator = try Simulator()
        let alice = try await login(simulator, "alice@org1:sim-alice")
        let org = text(await send(simulator, "GET", "/api/org", token: alice))
        let orgPath = try #require(org.firstMatch(of: /href="http:\/\/127\.0\.0\.1(\/api\/org\/[^"]+)"/)?.1)
        let orgDocument = text(await send(simulator, "GET", String(orgPath), token: alice))
        let vdcPath = try #require(orgDocument.firstMatch(of: /href="http:\/\/127\.0\.0\.1(\/api\/vdc\/[^"]+)"/)?.1)
        let created = await send(simulator, "POST", vdcPath + "/action/composeVApp", token: alice,
                                 body: "<ComposeVAppParams xmlns=\"http://www.vmware.com/vcloud/v1.5\" name=\"web1\"/>")
        #expect(created.status == 201)

        let records = text(await send(simulator, "GET", "/api/query", query: ["type": "vApp", "format": "idrecords"], token: alice))
        let record = try #require(records.firstMatch(of: /<VAppRecord [^>]*>/)?.0)
        for attribute in ["name=\"web1\"", "numberOfVMs=\"0\"", "numberOfCpus=\"0\"", "memoryAllocationMB=\"0\"", "storageKB=\"0\"", "vdcName=\"org1-vdc\""] {
            #expect(record.contains(attribute), "\(attribute) missing in \(record)")
        }

        let carol = try await login(simulator, "carol@org2:sim-carol")
        let carolRecords = text(await send(simulator, "GET", "/api/query", query: ["type": "vApp", "format": "idrecords"], token: carol))
        #expect(!carolRecords.contains("VAppRecord"))
    }
}
