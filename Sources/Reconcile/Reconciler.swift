import Foundation
import Logging
import Observe
import Spec
import Store
import VCDClient

/// The level-triggered loop: read desired state, observe vCD, plan, record status, start what may run.
/// Actions run concurrently up to global and per-org limits, one at a time per lane (vApp or catalog item);
/// a failed object backs off; every pass starts again from a fresh observation, so nothing depends on
/// memory of earlier passes and a restart simply carries on. Its parts: `Scheduler` (lanes, limits, back-off,
/// expectations), `WakeUps`, `StatusProjection`, `TenantTaskCompleter`, `FailureKind`.
public actor Reconciler {
    public struct Limits: Sendable {
        public var global: Int
        public var perOrg: Int

        public init(global: Int = 8, perOrg: Int = 4) {
            self.global = global
            self.perOrg = perOrg
        }
    }

    /// What one pass saw and did, for progress displays.
    public struct PassReport: Sendable {
        public var plan: Plan
        public var started: [PlannedAction]
        public var inFlight: Int
        /// Status rows this pass wrote (0 when nothing changed).
        public var statusWrites: Int
    }

    public enum Event: Sendable {
        case started(PlannedAction)
        case finished(PlannedAction, message: String)
        case failed(PlannedAction, error: String)
    }

    let store: DesiredStateStore
    let observer: any Observing
    let runner: ActionRunner
    /// Ends tenants' tasks and moves old marks (`MarkMigration`).
    let session: VCDSession
    let tenantTasks: TenantTaskCompleter
    let deletionGuard: DeletionGuard
    /// The lease this reconciler works under (nil for one that holds none, e.g. a plan): every store and vCD write
    /// carries it and is refused once the lease is lost, and the reconciler then stops (`LeaseFence`).
    let fence: LeaseFence?
    let logger: Logger
    private var scheduler: Scheduler
    /// Objects seen with a deletion requested: a new deletion starts without the back-off of earlier failures.
    private var deletionsSeen: Set<ObjectKey> = []
    private var wakeUps = WakeUps()
    private var running: [String: (action: PlannedAction, task: Task<Void, Never>)] = [:]
    private var events: ActionEvents

    /// `observer` reads vCD; `session` ends tenants' tasks (the observer's session when it is an `Observer`).
    public init(store: DesiredStateStore, observer: any Observing, session: VCDSession, runner: ActionRunner, limits: Limits = Limits(),
                deletionGuard: DeletionGuard = DeletionGuard(), fence: LeaseFence? = nil, logger: Logger = Logger(label: "cse.reconcile")) {
        self.deletionGuard = deletionGuard
        self.store = store
        self.observer = observer
        var runner = runner
        // What the runner creates carries this store's installation identity (a store without one cannot create).
        runner.installationID = try? store.installationID()
        if let fence { runner.vcd = FencedOperations(vcd: runner.vcd, fence: fence) }
        self.runner = runner
        self.session = session
        self.fence = fence
        self.tenantTasks = TenantTaskCompleter(session: session, fence: fence, logger: logger)
        self.scheduler = Scheduler(limits: limits)
        self.events = ActionEvents(store: store, fence: fence, logger: logger)
        self.logger = logger
    }

    public init(store: DesiredStateStore, observer: Observer, runner: ActionRunner, limits: Limits = Limits(),
                deletionGuard: DeletionGuard = DeletionGuard(), fence: LeaseFence? = nil, logger: Logger = Logger(label: "cse.reconcile")) {
        self.init(store: store, observer: observer, session: observer.session, runner: runner, limits: limits,
                  deletionGuard: deletionGuard, fence: fence, logger: logger)
    }

    public func onEvent(_ listener: @escaping @Sendable (Event) -> Void) {
        events.add(listener)
    }

    /// Asks for a pass now (a tenant request was committed, an action ended).
    public nonisolated func poke() {
        Task { await self.signal() }
    }

    private func signal() {
        wakeUps.signal()
    }

    private func endWait(_ id: UUID) {
        wakeUps.end(id)
    }

    /// The plan for the current state, without acting.
    public func plan() async throws -> Plan {
        let desired = DesiredState(objects: try store.objects(), installationID: try store.installationID())
        let snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        return deletionGuard.check(Diff.plan(desired: desired, observed: snapshot), fleet: desired.clusters.count)
    }

    /// The plan if `specs` were applied (as `cse apply [--prune]` would), leaving the store as it is.
    public func plan(overlaying specs: SpecSet, prune: Bool = false) async throws -> Plan {
        var objects = Dictionary(try store.objects().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        if prune {
            // As the store's apply: admin objects missing from the specs become tombstones; tenants' never do.
            let wanted = Set(specs.objects.map(\.object.key))
            for (key, object) in objects where object.owner == .admin && !object.isDeleting && !wanted.contains(key) {
                var tombstone = object
                tombstone.deletionRequestedAt = Date()
                tombstone.generation += 1
                objects[key] = tombstone
            }
        }
        for loaded in specs.objects {
            let key = loaded.object.key
            let existing = objects[key]
            let changed = existing?.specHash != loaded.object.specHash || existing?.isDeleting == true
            objects[key] = StoredObject(uid: existing?.uid ?? "planned:\(key)", object: loaded.object, specHash: loaded.object.specHash,
                                        generation: (existing?.generation ?? 0) + (changed ? 1 : 0), owner: existing?.owner ?? .admin,
                                        createdAt: existing?.createdAt ?? Date(), updatedAt: Date(), deletionRequestedAt: nil)
        }
        let desired = DesiredState(objects: objects.values.sorted { $0.key < $1.key }, installationID: try store.installationID())
        let snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        return deletionGuard.check(Diff.plan(desired: desired, observed: snapshot), fleet: desired.clusters.count)
    }

    /// One pass: desired state read once, one observation (after moving marks an earlier cse wrote in the GENERAL
    /// domain into the SYSTEM domain, `MarkMigration`, and observing again when it moved any), the plan; statuses projected
    /// from exactly these and written once (changed rows only); tenant tasks judged at the generation the pass read;
    /// runnable actions started. Returns at once; actions go on.
    @discardableResult
    public func pass() async throws -> PassReport {
        try fence?.check("reconcile pass")
        let objects = try store.objects()
        let desired = DesiredState(objects: objects, installationID: try store.installationID())
        var snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        try fence?.check("mark migration")
        if try await MarkMigration(session: session, desired: desired, pollInterval: runner.pollInterval, logger: logger).run(snapshot) > 0 {
            snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        }
        var plan = deletionGuard.check(Diff.plan(desired: desired, observed: snapshot), fleet: desired.clusters.count)
        forgetFailuresOfNewDeletions(plan)
        // An object whose last action failed for good (needs a spec or vCD change) is Failed, with vCD's reason,
        // until an action for it succeeds; it is still retried after its long back-off.
        for key in Array(scheduler.permanentFailures.keys) {
            let assessment = plan.assessments[key]
            if let failure = scheduler.permanentFailure(of: key, phase: assessment?.phase), let assessment {
                plan.assessments[key] = Assessment(.failed, assessment.message, failure: failure)
            }
        }
        let projection = StatusProjection.project(objects: objects, previous: try store.statuses(), plan: plan, snapshot: snapshot, now: Date())
        try store.writeStatuses(projection.changes.map { ($0.object.uid, $0.status) }, fence: fence)
        events.phaseChanges(projection)
        if let held = deletionGuard.explanation(plan) { logger.warning("\(held)") }
        try store.recordUnowned(plan.unowned.map { $0.entry(seenAt: snapshot.takenAt) }, fence: fence)
        await tenantTasks.complete(judged: projection.judged, store: store)
        // A lease lost while this pass observed: start nothing (the writes above were refused already, or the lease
        // ran out by this process's clock).
        try fence?.check("start actions")
        let chosen = scheduler.select(plan.runnable, running: running.values.map(\.action), observedFrom: snapshot.startedAt,
                                      now: .now)
        scheduler.observed(from: snapshot.startedAt)
        for action in chosen { start(action) }
        ReconcileMetrics.passed(plan: plan, objects: objects, waiting: plan.actions.count { running[$0.lane]?.action != $0 }, running: running.count)
        return PassReport(plan: plan, started: chosen, inFlight: running.count, statusWrites: projection.changes.count)
    }

    public var inFlight: Int { running.count }

    /// Deleting a cluster that failed for good must not wait out the back-off of its failed creation.
    private func forgetFailuresOfNewDeletions(_ plan: Plan) {
        let deleting = Set(plan.assessments.filter { $0.value.phase == .deleting }.keys)
        for key in deleting.subtracting(deletionsSeen) { scheduler.forgetFailures(of: key) }
        deletionsSeen = deleting
    }

    /// Waits until an action ends, `poke()` is called, a backed-off object is due, or `timeout` passes.
    /// Returns true when woken by an event (an action ended, a poke), false on a timeout, a due back-off or cancellation.
    @discardableResult
    public func waitForChange(timeout: Duration) async -> Bool {
        if wakeUps.takePending() { return true }
        let deadline = ContinuousClock.now + timeout
        let due = scheduler.nextDue(after: .now).map { min($0, deadline) } ?? deadline
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(until: due, clock: .continuous)
            self.endWait(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume(returning: false) } else { wakeUps.park(id, continuation) }
            }
        } onCancel: {
            Task { await self.endWait(id) }
        }
    }

    /// Waits for every running action to end (used on shutdown and by `cse apply`).
    public func drain() async {
        for entry in running.values { await entry.task.value }
    }

    /// Cancels every running action (the lease they ran under is lost: they could not write anyway) and waits up to
    /// `timeout` for them to end.
    public func cancelRunning(timeout: Duration = .seconds(10)) async {
        for entry in running.values { entry.task.cancel() }
        _ = await drain(timeout: timeout)
    }

    /// Waits up to `timeout` for running actions; returns how many were still running (handed back: every
    /// action is safe to repeat, so the next start finds what they did and goes on).
    public func drain(timeout: Duration) async -> Int {
        let tasks = running.values.map(\.task)
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in tasks { await task.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let result = await group.next() ?? false
            group.cancelAll()
            return result
        }
        return finished ? 0 : running.count
    }

    // MARK: internals

    private func start(_ action: PlannedAction) {
        let runner = self.runner
        let store = self.store
        let fence = self.fence
        events.started(action)
        let task = Task {
            do {
                let message: String
                if case .confirmDeleted(let uid) = action.step {
                    // Store-side: the tombstone goes once vCD shows nothing of the object.
                    _ = try store.confirmDeleted(action.object, uid: uid, fence: fence)
                    message = "\(action.object) is gone from vCD"
                } else {
                    message = try await runner.run(action)
                }
                self.finished(action, message: message, error: nil)
            } catch {
                self.finished(action, message: nil, error: error)
            }
        }
        running[action.lane] = (action, task)
    }

    private func finished(_ action: PlannedAction, message: String?, error: (any Error)?) {
        running[action.lane] = nil
        if let message {
            scheduler.succeeded(action, at: Date())
            ReconcileMetrics.action(action, failure: nil)
            events.succeeded(action, message: message)
        } else if let error {
            let kind = FailureKind.of(error)
            scheduler.failed(action, kind: kind, error: "\(error)", at: Date(), now: .now)
            ReconcileMetrics.action(action, failure: kind)
            events.failed(action, error: error, kind: kind)
        }
        signal()
    }

    /// Where each desired cluster must be: the observer does not believe a vApp claiming it elsewhere.
    static func placements(_ desired: DesiredState) -> [String: ClusterPlacement] {
        Dictionary(desired.clusters.map { ($0.uid, ClusterPlacement(org: $0.spec.org, vdc: $0.spec.vdc)) }, uniquingKeysWith: { first, _ in first })
    }

    static func sourceImages(_ desired: DesiredState) -> [SourceImageRef] {
        desired.templates.map { SourceImageRef(org: $0.spec.build.org, catalog: $0.spec.build.catalog, item: $0.spec.source.catalogItem) }
    }
}
