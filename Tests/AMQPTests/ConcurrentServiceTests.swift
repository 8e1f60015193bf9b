import Foundation
import Testing
import AMQPTransport
import ExtensionService
import Spec
import Store

/// The tenant path serving several requests at once on one consumer, their writes group-committed.
@Suite(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
struct ConcurrentServiceTests {
    let url = AMQPTestBroker.url!

    @Test func concurrentRequestsWhereOneConflictsAnswerTheOthers202() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        let service = harness.startService(inFlight: 8)
        defer { service.cancel() }

        // Two requests ask at once for the same new name with different specs (the same spec would be the same user's
        // repeat, answered with that create's task): one wins, the other is a conflict; the rest all commit.
        let names = ["k0", "k1", "dup", "k2", "dup", "k3", "k4"]
        var idOfCorrelation: [String: String] = [:]
        for (index, name) in names.enumerated() {
            let body = FakeVCD.createBody(name, nodes: 1 + index % 3)
            idOfCorrelation[try await vcd.send("POST", "/api/cluster", body: body, id: "req-\(index)")] = "req-\(index)"
        }
        var statusByID: [String: Int] = [:]
        while statusByID.count < names.count {
            let reply = try #require(try await vcd.nextReply(timeout: .seconds(30)), "missing replies: \(statusByID)")
            let id = try #require(reply.correlationID.flatMap { idOfCorrelation[$0] })
            #expect(reply.id == id)
            statusByID[id] = reply.status
        }
        let duplicates = [statusByID["req-2"], statusByID["req-4"]].compactMap { $0 }.sorted()
        #expect(duplicates == [202, 409], "one of the two same-name creates wins: \(statusByID)")
        for id in ["req-0", "req-1", "req-3", "req-5", "req-6"] { #expect(statusByID[id] == 202, "\(id): \(statusByID)") }
        #expect(try harness.clusters().map(\.key.name).sorted() == ["dup", "k0", "k1", "k2", "k3", "k4"])
        #expect(try harness.store.tenantTasks().count == 6)
        #expect(await harness.tasks.created == 6)
        let allIDs = Set(names.indices.map { "req-\($0)" })
        try await eventually { Set(harness.events.acknowledged) == allIDs }
        service.cancel()
        await vcd.close()
    }

    @Test func concurrentRequestsRedeliveredAfterACrashBetweenCommitAndAckAreNotAppliedTwice() async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        // The process "dies" once, after request req-2's change committed and its reply went out, before its ack: the
        // connection drops and every request not yet acknowledged on it comes back.
        let crashes = CrashOnce()
        let service = harness.startService(inFlight: 8, hooks: ExtensionService.Hooks(beforeAck: { id in
            id == "req-2" ? await crashes.shouldAck(id) : true
        }))
        defer { service.cancel() }

        let count = 6
        for index in 0..<count {
            try await vcd.send("POST", "/api/cluster", body: FakeVCD.createBody("r\(index)", nodes: 1 + index % 3), id: "req-\(index)")
        }
        var replies: [String: [FakeVCD.Reply]] = [:]
        while replies.count < count || (replies["req-2"]?.count ?? 0) < 2 {
            let reply = try #require(try await vcd.nextReply(timeout: .seconds(30)), "missing replies: \(replies.mapValues(\.count))")
            replies[reply.id ?? "", default: []].append(reply)
        }
        let allIDs = Set((0..<count).map { "req-\($0)" })
        try await eventually(timeout: .seconds(30)) { allIDs.isSubset(of: Set(harness.events.acknowledged)) }
        // Late redeliveries (requests in flight when the connection dropped) are answered too; collect them.
        while let late = try await vcd.nextReply(timeout: .milliseconds(500)) { replies[late.id ?? "", default: []].append(late) }

        #expect(Set(replies.keys) == allIDs)
        for (id, answers) in replies {
            #expect(answers.allSatisfy { $0.status == 202 }, "\(id): \(answers.map(\.status))")
            #expect(Set(answers.map(\.body)).count == 1, "\(id): a redelivery gets the same answer")
        }
        #expect(try harness.clusters().map(\.key.name).sorted() == (0..<count).map { "r\($0)" })
        #expect(try harness.store.tenantTasks().count == count, "each change applied once")
        #expect(await harness.tasks.created == count, "one vCD task per request")
        let seen = await crashes.seen
        #expect(seen.filter { $0 == "req-2" }.count == 2, "\(seen)")
        service.cancel()
        await vcd.close()
    }
}
