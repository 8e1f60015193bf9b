import Foundation
import Logging
import Testing
import Observe
import Reconcile
import Spec
import Store
import VCDClient

/// An observer that runs a change once, while an observation is under way (after vCD was read, before the pass
/// sees the snapshot), and records when observations start.
final class ObservationHook: Observing, @unchecked Sendable {
    private let inner: Observer
    private let lock = NSLock()
    private var pending: (@Sendable () async throws -> Void)?
    private(set) var starts: [ContinuousClock.Instant] = []
    private(set) var committedAt: ContinuousClock.Instant?

    init(_ inner: Observer) { self.inner = inner }

    func arm(_ change: @escaping @Sendable () async throws -> Void) {
        lock.withLock { pending = change }
    }

    var startTimes: [ContinuousClock.Instant] { lock.withLock { starts } }
    var commitTime: ContinuousClock.Instant? { lock.withLock { committedAt } }

    func observe(sourceImages: [SourceImageRef], placements: [String: ClusterPlacement]) async throws -> Snapshot {
        lock.withLock { starts.append(.now) }
        let snapshot = try await inner.observe(sourceImages: sourceImages, placements: placements)
        let change = lock.withLock { () -> (@Sendable () async throws -> Void)? in
            defer { pending = nil }
            return pending
        }
        if let change {
            try await change()
            lock.withLock { committedAt = .now }
        }
        return snapshot
    }
}

@Suite struct ConsistentPassTests {
    @Test func aResizeCommittedDuringAnObservationKeepsTheTenantTaskRunningUntilTheNodesAreReady() async throws {
        var hook: ObservationHook!
        let cloud = try await Cloud.start(observing: { observer in
            hook = ObservationHook(observer)
            return hook
        })
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge(timeout: .seconds(120)) == .converged)
        let key = ObjectKey(kind: .cluster, org: "org1", name: "c1")
        let uid = try #require(try cloud.store.object(key)).uid
        let store = cloud.store, admin = cloud.admin
        // A tenant's resize (generation 2) and its task, committed while the next pass observes.
        hook.arm {
            let specs = try SpecLoader().load(sources: [(file: "r.yaml", text: Specs.template() + "\n---\n" + Specs.cluster("c1", nodes: 2))])
            _ = try store.apply(specs, prune: false)
            let generation = try #require(try store.object(key)).generation
            let task = try store.transaction { try $0.createTenantTask(objectUID: uid, operation: .resize, targetGeneration: generation,
                                                                       org: "org1", user: "alice") }
            let href = try await admin.createExtensionTask(org: "org1", operation: "resizing c1",
                                                           operationName: "cluster resize", ownerName: "org1")
            try store.updateTenantTask(id: task.id, taskHref: href, state: .running)
        }
        let report = try await cloud.reconciler.pass()
        #expect(report.plan.isEmpty, "the pass judged generation 1, which is converged")
        let task = try #require(try store.tenantTasks(states: [.running]).first)
        #expect(try store.status(of: uid).observedGeneration == 1, "generation 2 was not judged by a pass that read generation 1")

        // Passes until the task ends: when it does, c1-n2 is there and its guest is ready.
        let deadline = ContinuousClock.now + .seconds(120)
        var ended: TenantTask?
        while ended == nil && ContinuousClock.now < deadline {
            _ = try await cloud.reconciler.pass()
            if let current = try store.tenantTask(id: task.id), current.state != .running {
                ended = current
                let audit = try await cloud.audit()
                #expect(audit.vmNames(of: "c1") == ["c1-m1", "c1-n1", "c1-n2"], "the task ended before the node was added")
                let status = try store.status(of: uid)
                #expect(status.phase == .ready && status.observedGeneration == 2 && status.observed?.nodeNames.count == 2)
            }
            await cloud.reconciler.waitForChange(timeout: .seconds(1))
        }
        #expect(ended?.state == .success, "the resize task \(ended.map { "ended \($0.state)" } ?? "never ended")")
    }

    @Test func aPassOverAConvergedCloudWritesNoStatus() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge(timeout: .seconds(120)) == .converged)
        _ = try await cloud.reconciler.pass()
        let before = try cloud.store.statuses()
        let report = try await cloud.reconciler.pass()
        #expect(report.plan.isEmpty && report.statusWrites == 0, "a converged pass wrote \(report.statusWrites) status rows")
        #expect(try cloud.store.statuses() == before)
    }

    @Test func aChangeCommittedDuringAPassStartsAnotherPassWithinTwoSeconds() async throws {
        var hook: ObservationHook!
        let cloud = try await Cloud.start(observing: { observer in
            hook = ObservationHook(observer)
            return hook
        })
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge(timeout: .seconds(120)) == .converged)
        let store = cloud.store
        var logger = Logger(label: "cse.test")
        logger.logLevel = .warning
        let loop = Task { await cloud.reconciler.serve(resync: .seconds(300), changeToken: { try? store.changeToken() }, logger: logger) }
        // Let the loop settle (its passes over the converged cloud find nothing to do), then commit during its next observation.
        try await Task.sleep(for: .milliseconds(300))
        hook.arm {
            let specs = try SpecLoader().load(sources: [(file: "r.yaml", text: Specs.template() + "\n---\n" + Specs.cluster("c1", nodes: 2))])
            _ = try store.apply(specs, prune: false)
        }
        cloud.reconciler.poke()
        let deadline = ContinuousClock.now + .seconds(30)
        var next: ContinuousClock.Instant?
        while next == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            if let committed = hook.commitTime { next = hook.startTimes.first { $0 > committed } }
        }
        // The loop ends before the simulator stops (a pass must not talk to a server going away).
        loop.cancel()
        await loop.value
        await cloud.reconciler.drain()
        let committed = hook.commitTime
        #expect(committed != nil, "the change was never committed")
        #expect(next != nil, "no pass started after the change")
        if let committed, let next {
            #expect(next - committed < .seconds(2), "the next pass began \(next - committed) after the change")
        }
    }
}

/// vCD's answer about an entity a snapshot still showed (404 RESOURCE_NOT_FOUND) is not a failure of the object:
/// the next pass plans again from a fresh observation.
@Suite struct StaleSnapshotTests {
    @Test func aVMGoneAfterTheSnapshotIsNotAFailure() async throws {
        var hook: ObservationHook!
        let cloud = try await Cloud.start(observing: { observer in
            hook = ObservationHook(observer)
            return hook
        })
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template(), Specs.cluster("c1", nodes: 1))
        #expect(try await cloud.converge(timeout: .seconds(120)) == .converged)
        let admin = cloud.admin
        let node = try #require(try await cloud.vm("c1-n1")?.href)
        try await cloud.wait(try await admin.undeploy(node))
        // The next observation sees c1-n1 powered off; before the pass acts on it, the VM is removed behind cse's back.
        hook.arm {
            let vApp = try await admin.get(try #require(try await admin.query("adminVApp", filter: "name==c1").first?.href))
            try await admin.wait(for: try await admin.removeVMs(from: vApp, vmHrefs: [node]), pollInterval: .milliseconds(20))
        }
        let report = try await cloud.reconciler.pass()
        #expect(report.started.contains { if case .powerOnVM(node) = $0.step { return true } else { return false } },
                "the pass acted on its snapshot: \(report.started.map(\.target))")
        #expect(try await cloud.converge(timeout: .seconds(120)) == .converged)
        let uid = try #require(try cloud.store.object(ObjectKey(kind: .cluster, org: "org1", name: "c1"))).uid
        let events = try cloud.store.events(of: uid)
        #expect(events.contains { $0.reason == "ActionStale" }, "\(events.map(\.reason))")
        #expect(!events.contains { $0.reason == "ActionFailed" || $0.reason == "Failed" }, "\(events.map { "\($0.reason): \($0.message)" })")
        #expect(try await cloud.audit().vmNames(of: "c1") == ["c1-m1", "c1-n1"], "the node was made again")
    }
}
