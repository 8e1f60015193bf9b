import Foundation
import Testing
import Spec
import Store
@testable import TenantAPI

@Suite struct ClusterAPITests {
    @Test func createAnswers202WithATaskAndStoresTheTenantsCluster() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        let (status, json) = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c2", cpu: "2", memory: "4096"))
        #expect(status == 202)
        let reply = try #require(json as? [String: Any])
        #expect(reply["name"] as? String == "c2")
        #expect(reply["task_href"] as? String == "https://vcd.example/api/task/1")
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c2")))
        #expect(reply["cluster_id"] as? String == stored.uid)
        #expect(stored.owner == .tenant(org: "org1", user: "alice"))
        guard case .cluster(let spec) = stored.object else { Issue.record("not a cluster"); return }
        #expect(spec.nodes == NodePool(count: 2, cpu: 2, memoryMB: 4096) && spec.template == "ubuntu-16.04" && spec.network == "intranet")
        let tasks = try h.store.tenantTasks()
        #expect(tasks.map(\.operation) == [.create] && tasks.first?.taskHref == "https://vcd.example/api/task/1")
    }

    @Test func redeliveredRequestGetsTheSameReplyAndChangesNothingTwice() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        let first = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c2"), id: "req-7")
        let again = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c2"), id: "req-7")
        #expect(first.status == 202 && again.status == 202)
        #expect((first.json as? [String: String]) == (again.json as? [String: String]))
        #expect(await h.tasks.created.count == 1)
        #expect(try h.store.tenantTasks().count == 1)
    }

    /// AMQP's `redelivered` flag is only a hint: a repeat that arrives without it (told "cannot be a repeat") still gets the
    /// first answer and changes nothing twice, for each kind of change.
    @Test func aRepeatNotFlaggedAsRedeliveredIsStillAnsweredFromTheLog() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        let changes: [(method: String, path: String, body: [String: Any], id: String)] = [
            ("POST", "/api/cluster", APIHarness.createBody("c5"), "req-create"),
            ("PUT", "/api/cluster/c5", ["node_count": 4], "req-resize"),
            ("DELETE", "/api/cluster/c5", [:], "req-delete"),
        ]
        for change in changes {
            let first = await h.send(change.method, change.path, token: "t-alice", body: change.body, id: change.id, mayBeRepeat: false)
            let again = await h.send(change.method, change.path, token: "t-alice", body: change.body, id: change.id, mayBeRepeat: false)
            #expect(first.status == 202, "\(change.method): \(String(describing: first.json))")
            #expect(again.status == first.status && (again.json as? [String: String]) == (first.json as? [String: String]), "\(change.method)")
        }
        #expect(await h.tasks.created.count == 3)
        #expect(try h.store.tenantTasks().map(\.operation) == [.create, .resize, .delete])
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c5")))
        #expect(stored.generation == 3 && stored.isDeleting, "created, resized once, deleted once: \(stored)")
    }

    @Test func aTaskCreationRefusedOnceIsRetriedWithinTheRequest() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        await h.tasks.failOnce()
        let created = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c3"), id: "req-9")
        #expect(created.status == 202, "\(String(describing: created.json))")
        #expect(try h.store.tenantTasks().map(\.state) == [.running])
        #expect(await h.tasks.created.count == 1)
    }

    @Test func aTaskCreationThatKeepsFailingIs503AndTheTenantsRetryFinishesTheSameCreate() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        await h.tasks.fail(times: 3)
        let failed = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c3"), id: "req-9")
        #expect(failed.status == 503)
        let message = (failed.json as? [String: String])?["message"] ?? ""
        #expect(message.contains("is recorded, but vCD did not create its task") && message.contains("run the same command again"), "\(message)")
        // The redelivery of that request, and the tenant's own retry (a new request), both finish the one create.
        let redelivered = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c3"), id: "req-9")
        #expect(redelivered.status == 202)
        let retried = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c3"), id: "req-10")
        #expect(retried.status == 202, "the same create again: the same task")
        #expect((retried.json as? [String: String])?["task_href"] == (redelivered.json as? [String: String])?["task_href"])
        #expect(try h.store.objects(kind: .cluster).count == 1)
        #expect(await h.tasks.created.count == 1)
        #expect(try h.store.tenantTasks().map(\.state) == [.running])
    }

    @Test func theTenantsOwnRetryAfterA503GetsTheCommittedCreatesTask() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        await h.tasks.fail(times: 3)
        #expect(await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c4"), id: "req-1").status == 503)
        let retried = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c4"), id: "req-2")
        #expect(retried.status == 202, "\(String(describing: retried.json))")
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c4")))
        #expect((retried.json as? [String: String])?["cluster_id"] == stored.uid)
        #expect(await h.tasks.created.count == 1)
        #expect(try h.store.tenantTasks().count == 1)
    }

    @Test func aCreateAppliedAfterTheTenantGaveUpIsWhatTheTenantsRetryGets() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        // The first request was queued while cse was down; vCD answered 504 after 10 s, cse applied it later.
        let ghost = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c6"), id: "late")
        #expect(ghost.status == 202)
        // The tenant's retry of the same command gets that create and its task, not a 409 about an unknown cluster.
        let retry = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c6"), id: "retry")
        #expect(retry.status == 202)
        #expect((retry.json as? [String: String]) == (ghost.json as? [String: String]))
        #expect(await h.tasks.created.count == 1)
        // Someone else (or another spec) asking for the name is a conflict.
        let other = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c6", nodes: 1), id: "other")
        #expect(other.status == 409)
    }

    @Test func aTaskMadeButNotRecordedIsFoundAndUsedNeverLeftRunningBesideASecond() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        await h.tasks.loseAnswers(1)
        let created = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c7"), id: "req-k")
        #expect(created.status == 202)
        #expect((created.json as? [String: String])?["task_href"] == "https://vcd.example/api/task/1")
        #expect(await h.tasks.created.count == 1, "no second task beside the one whose answer was lost")
        #expect(try h.store.tenantTasks().map(\.taskHref) == ["https://vcd.example/api/task/1"])
    }

    @Test func aRedeliveryAfterAKillBetweenMakingAndRecordingTheTaskUsesThatTask() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        // The kill point, as the process left it: the change and its request are committed, the task was made in vCD,
        // and nothing recorded its href (nor a reply).
        let spec = ClusterSpec(name: "c8", org: "org1", vdc: "org1-vdc", template: "ubuntu-16.04", network: "intranet", nodes: NodePool(count: 2))
        let object = try h.store.transaction { tx -> StoredObject in
            let (object, _) = try tx.put(.cluster(spec), owner: .tenant(org: "org1", user: "alice"), expectedGeneration: 0)
            let task = try tx.createTenantTask(objectUID: object.uid, operation: .create, targetGeneration: object.generation, org: "org1", user: "alice")
            try tx.logRequest("req-r", tenantTaskID: task.id)
            return object
        }
        let made = try await h.tasks.createTask(org: "org1", user: "alice", operation: "create", clusterName: "c8", clusterID: object.uid)
        // vCD redelivers the unacknowledged request to the restarted service.
        let redelivered = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c8"), id: "req-r")
        #expect(redelivered.status == 202)
        #expect((redelivered.json as? [String: String])?["task_href"] == made)
        #expect(await h.tasks.created.count == 1, "the task the killed process made is used, not a second one")
    }

    @Test func creatingTheNameOfAClusterBeingDeletedIsRefusedUntilTheDeletionEnds() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        #expect(await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c5")).status == 202)
        #expect(await h.send("DELETE", "/api/cluster/c5", token: "t-alice").status == 202)
        let again = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c5"))
        #expect(again.status == 409)
        #expect((again.json as? [String: String])?["message"]?.contains("is being deleted") == true)
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c5")))
        #expect(stored.isDeleting, "the deletion goes on; the old cluster is not brought back")
        // Once the reconciler confirms it gone, the name is free.
        #expect(try h.store.confirmDeleted(stored.key, uid: stored.uid))
        #expect(await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c5")).status == 202)
    }

    @Test func validationListsEveryProblem() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        var body = APIHarness.createBody("bad_name!", nodes: -1, vdc: nil, cpu: "lots", memory: "1001")
        body["colour"] = "blue"
        let (status, json) = await h.send("POST", "/api/cluster", token: "t-alice", body: body)
        #expect(status == 400)
        let message = try #require((json as? [String: String])?["message"])
        for expected in ["unknown field 'colour'", "name 'bad_name!' contains '_'", "node_count is -1, out of range 0...256",
                         "vdc is required", "cpu_count must be an integer", "memory is 1001 MB; vCD needs a multiple of 4"] {
            #expect(message.contains(expected), "missing: \(expected) in \(message)")
        }
        #expect(try h.store.objects(kind: .cluster).isEmpty)
    }

    @Test func nameTakenInTheOrgIsAConflictButFreeInAnother() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        #expect(await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c1")).status == 202)
        let taken = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c1", nodes: 3))
        #expect(taken.status == 409)
        #expect((taken.json as? [String: String])?["message"] == "cluster 'c1' already exists in org 'org1'")
        #expect(await h.send("POST", "/api/cluster", token: "t-bob", body: APIHarness.createBody("c1", vdc: "org2-vdc")).status == 202)
    }

    @Test func unknownTokenIs401AndUnknownPathIs404() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        #expect(await h.send("GET", "/api/cluster", token: "stolen").status == 401)
        #expect(await h.send("GET", "/api/cluster", token: nil).status == 401)
        #expect(await h.send("GET", "/api/nothing", token: "t-alice").status == 404)
        #expect(await h.send("PATCH", "/api/cluster/c1", token: "t-alice").status == 405)
    }

    @Test func configNeedsAReadyClusterAndReturnsAJSONStringKubeconfig() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        _ = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c2"))
        #expect(await h.send("GET", "/api/cluster/c2/config", token: "t-alice").status == 409)
        let stored = try #require(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c2")))
        try h.store.updateStatus(of: stored.uid) {
            $0.phase = .ready
            $0.observed = ObservedFacts(masterIP: "10.0.1.10", masterName: "c2-m1", nodeNames: ["c2-n1", "c2-n2"])
        }
        let (status, json) = await h.send("GET", "/api/cluster/c2/config", token: "t-alice")
        #expect(status == 200)
        #expect((json as? String)?.contains("server: https://10.0.1.10:6443") == true)
        // The read is an event of the cluster: who (and the event's time, when); the event holds no kubeconfig.
        let reads = try h.store.events(of: stored.uid).filter { $0.reason == "KubeconfigRead" }
        #expect(reads.count == 1 && reads.first?.message.contains("alice@org1") == true, "\(reads)")
        #expect(reads.allSatisfy { !$0.message.contains("server:") })
        let list = await h.send("GET", "/api/cluster", token: "t-alice")
        let first = try #require((list.json as? [[String: Any]])?.first)
        #expect(first["leader_endpoint"] as? String == "10.0.1.10")
        #expect((first["nodes"] as? [[String: String]])?.map { $0["name"] } == ["c2-n1", "c2-n2"])
        #expect(first["vdc_name"] as? String == "org1-vdc")
    }

    @Test func resizeAndDeleteAnswer202AndEditDesiredState() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        _ = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("c2"))
        let resized = await h.send("PUT", "/api/cluster/c2", token: "t-alice", body: ["node_count": 5])
        #expect(resized.status == 202)
        #expect((resized.json as? [String: String])?["cluster_name"] == "c2")
        let key = ObjectKey(kind: .cluster, org: "org1", name: "c2")
        guard case .cluster(let spec)? = try h.store.object(key)?.object else { Issue.record("gone"); return }
        #expect(spec.nodes.count == 5)
        #expect(await h.send("PUT", "/api/cluster/c2", token: "t-alice", body: ["node_count": "x"]).status == 400)
        let deleted = await h.send("DELETE", "/api/cluster/c2", token: "t-alice")
        #expect(deleted.status == 202)
        #expect(try h.store.object(key)?.isDeleting == true)
        #expect(try h.store.tenantTasks().map(\.operation) == [.create, .resize, .delete])
        #expect(await h.send("PUT", "/api/cluster/c2", token: "t-alice", body: ["node_count": 1]).status == 409)
    }

    /// list/get/create/resize/delete/config across two orgs and the system administrator.
    @Test func tenancyMatrix() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        _ = await h.send("POST", "/api/cluster", token: "t-alice", body: APIHarness.createBody("a1"))
        _ = await h.send("POST", "/api/cluster", token: "t-bob", body: APIHarness.createBody("b1", vdc: "org2-vdc"))
        func names(_ token: String) async -> [String] {
            ((await h.send("GET", "/api/cluster", token: token).json as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
        }
        #expect(await names("t-alice") == ["a1"])
        #expect(await names("t-bob") == ["b1"])
        #expect(await names("t-admin") == ["a1", "b1"])
        // Another org's cluster does not exist for a tenant, whatever the verb.
        #expect(await h.send("GET", "/api/cluster/a1", token: "t-bob").status == 404)
        #expect(await h.send("GET", "/api/cluster/a1/config", token: "t-bob").status == 404)
        #expect(await h.send("PUT", "/api/cluster/a1", token: "t-bob", body: ["node_count": 9]).status == 404)
        #expect(await h.send("DELETE", "/api/cluster/a1", token: "t-bob").status == 404)
        #expect(await h.send("POST", "/api/cluster", token: "t-bob", body: APIHarness.createBody("x", vdc: "v").merging(["org": "org1"]) { $1 }).status == 403)
        #expect(try h.store.object(ObjectKey(kind: .cluster, org: "org1", name: "a1"))?.isDeleting == false)
        // The system administrator acts on any org.
        #expect(await h.send("GET", "/api/cluster/a1", token: "t-admin").status == 200)
        #expect(await h.send("PUT", "/api/cluster/b1", token: "t-admin", body: ["node_count": 1]).status == 202)
        #expect(await h.send("POST", "/api/cluster", token: "t-admin", body: APIHarness.createBody("adm", vdc: "v").merging(["org": "org2"]) { $1 }).status == 202)
        #expect(try h.store.object(ObjectKey(kind: .cluster, org: "org2", name: "adm")) != nil)
        #expect(await h.send("DELETE", "/api/cluster/a1", token: "t-admin").status == 202)
        let info = await h.send("GET", "/api/cluster/b1", token: "t-bob")
        #expect((info.json as? [String: Any])?["node_count"] as? Int == 1)
    }

    @Test func templatesListsWhatTenantsMayUse() async throws {
        let h = try APIHarness()
        defer { h.cleanUp() }
        let (status, json) = await h.send("GET", "/api/template", token: "t-bob")
        #expect(status == 200)
        let first = try #require((json as? [[String: Any]])?.first)
        #expect(first["name"] as? String == "ubuntu-16.04" && first["is_default"] as? Bool == true && first["catalog"] as? String == "cse")
    }
}

@Suite struct ExtensionMessageTests {
    @Test func decodesVcdsRequestArray() throws {
        let body = Data(#"{"name":"c1"}"#.utf8).base64EncodedString()
        let message = """
            [{"id":"r1","method":"post","requestUri":"/api/cluster","queryString":"org=org1&x=1",
              "headers":{"Accept":"application/*+json;version=30.0","x-vcloud-authorization":"tok"},"body":"\(body)","request":true},
             {"user":"urn:vcloud:user:1","org":"urn:vcloud:org:2","rights":["r"]}]
            """
        let request = try ExtensionRequest.decode(Data(message.utf8))
        #expect(request.id == "r1" && request.method == "POST" && request.path == "/api/cluster")
        #expect(request.query == ["org": "org1", "x": "1"])
        #expect(request.headers["accept"] == "application/*+json;version=30.0" && request.token == "tok")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"name":"c1"}"#)
        #expect(request.securityContext?.org == "urn:vcloud:org:2")
    }

    @Test(arguments: [
        ("not json at all", MessageError.notJSON),
        (#"{"id":"x"}"#, MessageError.shape("expected a JSON array whose first element is the request object")),
        (#"[{"method":"GET","requestUri":"/api/cluster"}]"#, MessageError.shape("request has no id")),
        (#"[{"id":"1","method":"GET","requestUri":"/api/cluster","body":"***"}]"#, MessageError.badBase64),
    ])
    func malformedMessagesSayWhy(text: String, expected: MessageError) {
        #expect(throws: expected) { try ExtensionRequest.decode(Data(text.utf8)) }
    }

    @Test func hugeMessageIsRefused() {
        let huge = Data(repeating: 0x20, count: ExtensionRequest.maxMessageBytes + 1)
        #expect(throws: MessageError.tooLarge(huge.count)) { try ExtensionRequest.decode(huge) }
    }

    @Test func replyHasVcdsShape() throws {
        let data = ExtensionReply(status: 202, body: #"{"a":1}"#).encoded(requestID: "r1")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["id"] as? String == "r1" && json["statusCode"] as? Int == 202 && json["request"] as? Bool == false)
        #expect(Data(base64Encoded: json["body"] as? String ?? "") == Data(#"{"a":1}"#.utf8))
        #expect((json["headers"] as? [String: String])?["Content-Length"] == "7")
    }
}

@Suite struct JSONTextTests {
    @Test func stringsThatNeedEscapingReadBackUnchanged() throws {
        let awkward = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{00} unit \u{1F} é 雪 🚀"
        let text = JSONText.object([("z", .string(awkward)), ("a", .integer(-42)), ("m", .boolean(true)),
                                    ("nested", .raw(JSONText.object([("k", .string("v"))])))])
        #expect(text.hasPrefix(#"{"a":-42,"m":true,"nested":{"k":"v"},"z":"#))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["z"] as? String == awkward)
        #expect(json["a"] as? Int == -42 && json["m"] as? Bool == true)
        #expect((json["nested"] as? [String: String])?["k"] == "v")
        // A string with nothing to escape (non-ASCII included) is written as it is.
        #expect(JSONText.object([("p", .string("plain é 雪 🚀 /"))]) == #"{"p":"plain é 雪 🚀 /"}"#)
    }

    @Test func aReplyCarriesTheRequestIDVerbatim() throws {
        let id = "r\"1\\\n"
        let data = ExtensionReply(status: 202, body: "{}").encoded(requestID: id)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["id"] as? String == id)
        #expect((json["headers"] as? [String: String])?["Content-Type"] == "application/json")
    }
}
