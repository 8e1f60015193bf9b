import Foundation
import Spec
import Store
import Testing
@testable import TenantAPI

/// The kubeconfig leaves only through `GET /api/cluster/NAME/config` (an event records who read it, when): the
/// cluster's detail and the list answer around it never carry it, even right after a read, nor its event.
@Suite struct SecretFreeAnswersTests {
    @Test func onlyTheConfigAnswerCarriesTheKubeconfig() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        _ = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c3"))
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c3")))
        try h.store.updateStatus(of: stored.uid) {
            $0.phase = .ready
            $0.observed = ObservedFacts(masterIP: "10.0.3.10", masterName: "c3-m1", nodeNames: ["c3-n1"])
        }
        let config = await h.send("GET", "/api/cluster/c3/config", token: "t-alice")
        let kubeconfig = try #require(config.json as? String)
        #expect(config.status == 200 && kubeconfig.contains("kind: Config"))

        for path in ["/api/cluster/c3", "/api/cluster"] {
            let answer = await h.send("GET", path, token: "t-alice")
            #expect(answer.status == 200)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: answer.json ?? [:]), as: UTF8.self)
            #expect(!text.contains("kind: Config") && !text.contains("server: https://") && !text.contains("cse-sealed"), "\(path): \(text)")
        }
        let events = try h.store.events(of: stored.uid)
        let read = try #require(events.first { $0.reason == "KubeconfigRead" })
        #expect(read.message.contains("alice@org1"))
        #expect(events.allSatisfy { !$0.message.contains("kind: Config") && !$0.message.contains("server: https://") })
    }
}
