import Foundation
import Testing
import AMQPTransport
import ExtensionService
import Spec
import Store

@Suite(.enabled(if: AMQPTestBroker.url != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"),
       .enabled(if: ScratchBroker.isAvailable, "RabbitMQ is not installed (.ci/install-packages): cannot start a broker to restart"))
struct BrokerRestartTests {
    @Test(.timeLimit(.minutes(3)))
    func everyAcknowledgedRequestIsStoredExactlyOnceAcrossABrokerRestart() async throws {
        let port = try #require(ScratchBroker.freePort(), "no free port in 5673...5699 for a second RabbitMQ")
        let broker = ScratchBroker(port: port)
        defer { broker.remove() }
        try await broker.start()
        do {
            try await restartMidStream(AMQPURL(host: "127.0.0.1", port: port), broker: broker)
        } catch {
            try? await broker.stop()
            throw error
        }
        try await broker.stop()
    }

    private func restartMidStream(_ url: AMQPURL, broker: ScratchBroker) async throws {
        let harness = try ServiceHarness(url: url)
        defer { harness.cleanUp() }
        let vcd = try await FakeVCD.connect(url, serving: harness.topology)
        // A short pause before each ack keeps requests in flight (committed and answered, not yet
        // acknowledged) when the broker goes down; two at once, so that most are still queued when it does.
        let service = harness.startService(inFlight: 2, hooks: ExtensionService.Hooks(beforeAck: { _ in
            try? await Task.sleep(for: .milliseconds(30))
            return true
        }))
        defer { service.cancel() }

        let count = 60
        for index in 0..<count {
            try await vcd.send("POST", "/api/cluster", body: FakeVCD.createBody("r\(index)"), id: "restart-\(index)")
        }
        try await eventually { harness.events.acknowledged.count >= 10 }
        try await broker.stop()
        let ackedBeforeRestart = Set(harness.events.acknowledged)
        #expect(ackedBeforeRestart.count < count, "the broker stopped after everything was done: nothing was tested")
        try await Task.sleep(for: .milliseconds(300))
        try await broker.start()

        try await eventually(timeout: .seconds(90)) { Set(harness.events.acknowledged).count == count }
        let acknowledged = Set(harness.events.acknowledged)
        let names = try harness.clusters().map(\.key.name)
        #expect(names.count == Set(names).count, "a request was applied twice: \(names.sorted())")
        for id in acknowledged {
            let name = "r" + id.dropFirst("restart-".count)
            #expect(names.filter { $0 == name }.count == 1, "acknowledged \(id) is not stored exactly once")
        }
        #expect(names.count == count)
        #expect(await service.session.connectionsOpened >= 2, "the service never reconnected")
        #expect(try harness.store.tenantTasks().count == count)
        #expect(await harness.tasks.created == count)
        service.cancel()
    }
}
