import Foundation
import Testing
import AMQPTransport
import ExtensionService
import Spec
import Store

@Suite(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
struct ExtensionServiceTests {
    let url = AMQPTestBroker.url!

    @Test func createRequestIsCommittedAndAnsweredInVCDsReplyFormat() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        let service = harness.startService()
        defer { service.cancel() }

        let correlationID = try await vcd.send("POST", "/api/cluster", body: FakeVCD.createBody("c1"), id: "req-1")
        let reply = try #require(try await vcd.nextReply())
        #expect(reply.correlationID == correlationID)
        #expect(reply.id == "req-1" && reply.status == 202 && reply.isRequest == false)
        let answer = try #require(reply.json as? [String: Any])
        #expect(answer["name"] as? String == "c1")
        #expect(answer["task_href"] as? String == "https://vcd.example/api/task/1")
        let stored = try #require(try harness.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c1")))
        #expect(answer["cluster_id"] as? String == stored.uid)

        // A read through the same path sees it.
        try await vcd.send("GET", "/api/cluster", id: "req-2")
        let list = try #require(try await vcd.nextReply())
        #expect(list.status == 200 && list.id == "req-2")
        #expect((list.json as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["c1"])

        // Acknowledged in any order: req-1's ack waits for the commit that records its answer, req-2 is a read.
        try await eventually { harness.events.acknowledged.sorted() == ["req-1", "req-2"] }
        #expect(harness.events.committed == ["req-1"])
        service.cancel()
        await vcd.close()
    }

    @Test func requestCommittedButNotAcknowledgedIsRedeliveredAndNotAppliedTwice() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        // The first time through, the process "dies" after commit and reply, before the ack.
        let crashes = CrashOnce()
        let service = harness.startService(hooks: ExtensionService.Hooks(beforeAck: { id in await crashes.shouldAck(id) }))
        defer { service.cancel() }

        let correlationID = try await vcd.send("POST", "/api/cluster", body: FakeVCD.createBody("c9", nodes: 3), id: "req-crash")
        let first = try #require(try await vcd.nextReply())
        let second = try #require(try await vcd.nextReply(), "the unacknowledged request was not redelivered")
        #expect(first.correlationID == correlationID && second.correlationID == correlationID)
        #expect(first.status == 202 && second.status == 202)
        #expect(first.body == second.body, "a redelivery gets the same answer")

        #expect(try harness.clusters().map(\.key.name) == ["c9"])
        #expect(try harness.store.tenantTasks().count == 1)
        #expect(await harness.tasks.created == 1)
        try await eventually { harness.events.acknowledged == ["req-crash"] }
        #expect(await crashes.seen == ["req-crash", "req-crash"])
        #expect(await service.session.connectionsOpened == 2, "the simulated crash should cost exactly one reconnect")
        #expect(try await vcd.nextReply(timeout: .milliseconds(500)) == nil, "acknowledged: not delivered a third time")
        service.cancel()
        await vcd.close()
    }

    @Test func thousandMalformedMessagesAreAnsweredAndTheConsumerStillServes() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        let service = harness.startService()
        defer { service.cancel() }
        let before = try harness.store.objects()

        var generator = SystemRandomNumberGenerator()
        var expectedReplies: [(correlationID: String, status: ClosedRange<Int>)] = []
        var unreadable = 0
        for index in 0..<1000 {
            let malformed = MalformedMessages.make(index, using: &generator)
            let withAddress = index % 10 != 7  // some carry no reply address at all
            let correlationID = try await vcd.publish(malformed.body, withReplyAddress: withAddress)
            if withAddress { expectedReplies.append((correlationID, malformed.status)) }
            if malformed.isUnreadable { unreadable += 1 }
        }
        // Requests are served concurrently: replies come in any order, each matched by its correlation id (as vCD does).
        var expectedStatus = Dictionary(uniqueKeysWithValues: expectedReplies.map { ($0.correlationID, $0.status) })
        for _ in expectedReplies {
            let reply = try #require(try await vcd.nextReply(), "no reply for a malformed message")
            let expected = try #require(reply.correlationID.flatMap { expectedStatus.removeValue(forKey: $0) }, "an unexpected or second reply")
            #expect(expected.contains(reply.status), "status \(reply.status), expected \(expected)")
            #expect(reply.isRequest == false)
        }
        #expect(try harness.store.objects() == before, "malformed messages changed the store")
        let rejectedCount = unreadable
        try await eventually { harness.events.rejected == rejectedCount }
        #expect(harness.events.committed.isEmpty)

        // Still alive: a valid request afterwards is served.
        let correlationID = try await vcd.send("POST", "/api/cluster", body: FakeVCD.createBody("after"), id: "req-valid")
        let reply = try #require(try await vcd.nextReply())
        #expect(reply.correlationID == correlationID && reply.status == 202)
        #expect(try harness.clusters().map(\.key.name) == ["after"])
        service.cancel()
        await vcd.close()
    }
}

extension ExtensionServiceTests {
    @Test func requestWhoseReplyExchangeIsMissingIsAppliedAcknowledgedAndTheConsumerGoesOn() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        let service = harness.startService()
        defer { service.cancel() }

        let properties = AMQPProperties(correlationID: "lost-reply", replyTo: vcd.replyQueue, persistent: true,
                                        headers: ["replyToExchange": AMQPTestBroker.unique("no-such-exchange")])
        let body = FakeVCD.request("POST", "/api/cluster", token: "t-alice", body: FakeVCD.createBody("c5"), id: "req-lost")
        try await vcd.connection.publish(exchange: harness.topology.exchange, routingKey: harness.topology.routingKey, body: body, properties: properties)
        try await eventually { harness.events.acknowledged == ["req-lost"] }
        #expect(try harness.clusters().map(\.key.name) == ["c5"])

        let correlationID = try await vcd.send("GET", "/api/cluster", id: "req-next")
        let reply = try #require(try await vcd.nextReply())
        #expect(reply.correlationID == correlationID && reply.status == 200)
        #expect(await service.session.connectionsOpened == 1, "a refused reply must not cost the connection")
        service.cancel()
        await vcd.close()
    }
}

/// Says "do not ack" the first time it sees a request, "ack" after.
actor CrashOnce {
    private(set) var seen: [String] = []
    func shouldAck(_ requestID: String) -> Bool {
        seen.append(requestID)
        return seen.filter { $0 == requestID }.count > 1
    }
}

/// Polls until `condition` holds, failing after `timeout`.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool,
                sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
}
