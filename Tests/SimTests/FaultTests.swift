import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator fault rules")
struct FaultTests {
    @Test func injected5xxIsRetriedByTheClientForReads() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        try await admin.connect()
        try await sim.setFaults(#"{"faults": [{"kind": "http_error", "match": "GET /api/org", "status": 503, "max": 2}]}"#)
        let orgs = try await admin.get("/api/org")
        #expect(orgs.all("Org").count == 4)
        #expect(try await sim.counters()["GET /api/org"] == 3)
        // Without retries the 503 reaches the caller as a typed, transient error.
        try await sim.setFaults(#"{"faults": [{"kind": "http_error", "match": "GET /api/org", "status": 503}]}"#)
        let once = sim.admin(retry: .none)
        do {
            _ = try await once.get("/api/org")
            Issue.record("the injected 503 did not arrive")
        } catch let error as VCDError {
            #expect(error.status == 503 && error.isTransient)
        }
    }

    @Test func nonIdempotentRequestsAreNotRepeated() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        try await admin.connect()
        try await sim.setFaults(#"{"faults": [{"kind": "http_error", "match": "POST /api/vdc/*/action/composeVApp", "max": 1}]}"#)
        await #expect(throws: VCDError.self) { _ = try await admin.composeAndWait("once", vdc: "org1-vdc", org: "org1") }
        let counters = try await sim.counters()
        #expect(counters["POST /api/vdc/{id}/action/composeVApp"] == 1, "\(counters)")
    }

    @Test func taskFailuresBusyEntityPowerOnAndResets() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin(retry: .none)
        try await sim.setFaults(#"{"faults": [{"kind": "task_failure", "match": "vdcComposeVapp", "max": 1}]}"#)
        do {
            _ = try await admin.composeAndWait("doomed", vdc: "org1-vdc", org: "org1")
            Issue.record("the injected task failure did not happen")
        } catch let error as TaskWaitError {
            #expect(error.description.contains("injected"))
        }
        // A failed creation leaves nothing behind; the next try works.
        #expect(try await admin.query("adminVApp").isEmpty)
        let vApp = try await admin.composeAndWait("doomed", vdc: "org1-vdc", org: "org1")
        try await sim.setFaults(#"{"faults": [{"kind": "busy_entity", "match": "metadataUpdate", "max": 1}]}"#)
        do {
            _ = try await admin.mergeMetadata(vApp["href"]!, [.general("a", "b")])
            Issue.record("busy_entity was not injected")
        } catch let error as VCDError {
            #expect(error.isBusyEntity)
        }
        let (_, templateVM) = try await admin.sourceTemplateVM()
        try await admin.wait(for: try await admin.addVMs(to: vApp, [SourcedVM(name: "v", templateVMHref: templateVM["href"]!, network: "intranet")]),
                             pollInterval: .milliseconds(20))
        let vmHref = try await admin.get(vApp["href"]!).path("Children")!.all("Vm")[0]["href"]!
        try await sim.setFaults(#"{"faults": [{"kind": "power_on_failure"}]}"#)
        await #expect(throws: TaskWaitError.self) { try await admin.wait(for: try await admin.powerOn(vmHref), pollInterval: .milliseconds(20)) }
        // A reset connection: libcurl reconnects on its own when a reused connection dies before any answer.
        try await sim.resetCounters()
        try await sim.setFaults(#"{"faults": [{"kind": "reset", "match": "GET /api/org", "max": 1}]}"#)
        #expect(try await admin.get("/api/org").all("Org").count == 4)
        #expect(try await sim.counters()["GET /api/org"] == 2)
    }

    @Test func aPostIsNeverResentByLibcurlOnADeadReusedConnection() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin(retry: .none)
        let vdc = try await admin.vdcNamed("org1-vdc", org: "org1")  // opens a keep-alive connection
        try await sim.resetCounters()
        try await sim.setFaults(#"{"faults": [{"kind": "reset", "match": "POST /api/vdc/*/action/composeVApp", "max": 1}]}"#)
        do {
            _ = try await admin.composeVApp(vdc: vdc, name: "once", description: "test", network: admin.networks(of: vdc)[0])
            Issue.record("the reset compose succeeded: it was sent twice")
        } catch let error as TransportError {
            #expect(error.kind == .reset || error.kind == .other)
        }
        // The request reached the simulator once; nothing re-sent it.
        #expect(try await sim.counters()["POST /api/vdc/{id}/action/composeVApp"] == 1)
        #expect(try await admin.query("adminVApp").isEmpty)
    }

    @Test func latencyAndSessionExpiry() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        try await admin.connect()
        try await sim.setFaults(#"{"faults": [{"kind": "latency", "match": "GET /api/org", "latency_ms": 300, "jitter_ms": 50, "max": 1}]}"#)
        let started = ContinuousClock.now
        _ = try await admin.get("/api/org")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        try await sim.setFaults(#"{"faults": [{"kind": "session_expiry", "match": "GET /api/org", "max": 1}]}"#)
        // The session dies on this request; the client logs in again and repeats it.
        #expect(try await admin.get("/api/org").all("Org").count == 4)
        #expect(try await sim.counters()["POST /cloudapi/1.0.0/sessions/provider"] == 2)
    }

    @Test func probabilitiesAreReproducibleWithASeed() async throws {
        var first: [Int] = []
        for _ in 0..<2 {
            let sim = try await SimHarness.start()
            let admin = sim.admin(retry: .none)
            try await admin.connect()
            try await sim.setFaults(#"{"seed": 42, "faults": [{"kind": "http_error", "match": "GET /api/org", "probability": 0.5}]}"#)
            var outcomes: [Int] = []
            for _ in 0..<20 {
                do { _ = try await admin.get("/api/org"); outcomes.append(200) } catch { outcomes.append(500) }
            }
            await sim.stop()
            if first.isEmpty { first = outcomes } else { #expect(outcomes == first) }
            #expect(outcomes.contains(200) && outcomes.contains(500))
        }
    }
}
