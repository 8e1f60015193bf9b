import Foundation
import Logging
import Observe
import Spec
import Store
import VCDClient

/// The level-triggered loop: read desired state, observe vCD, plan, record status, start what may run.
/// Actions run concurrently up to global and per-org limits, one at a time per lane (vApp or catalog item);
/// a failed object backs off; every pass starts again from a fresh observation, so nothing depends on
/// memory of earlier passes and a restart simply carries on.
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
    }

    public enum Event: Sendable {
        case started(PlannedAction)
        case finished(PlannedAction, message: String)
        case failed(PlannedAction, error: String)
    }

    let store: DesiredStateStore
    let observer: Observer
    let runner: ActionRunner
    let tenantTasks: TenantTaskCompleter
    let limits: Limits
    let logger: Logger
    private var backoff = Backoff()
    private var running: [String: (action: PlannedAction, task: Task<Void, Never>)] = [:]
    /// Objects whose last action failed permanently, with the failure.
    private var permanentFailures: [ObjectKey: String] = [:]
    /// A wake-up that came while nobody waited; the next wait returns at once.
    private var pendingWake = false
    private var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    private var listeners: [@Sendable (Event) -> Void] = []

    public init(store: DesiredStateStore, observer: Observer, runner: ActionRunner, limits: Limits = Limits(),
                logger: Logger = Logger(label: "cse.reconcile")) {
        self.store = store
        self.observer = observer
        self.runner = runner
        self.tenantTasks = TenantTaskCompleter(session: runner.session, logger: logger)
        self.limits = limits
        self.logger = logger
    }

    public func onEvent(_ listener: @escaping @Sendable (Event) -> Void) {
        listeners.append(listener)
    }

    /// Asks for a pass now (a tenant request was committed, an action ended).
    public nonisolated func poke() {
        Task { await self.signal() }
    }

    private func signal() {
        guard !waiters.isEmpty else {
            pendingWake = true
            return
        }
        let woken = waiters.values
        waiters.removeAll()
        for waiter in woken { waiter.resume(returning: true) }
    }

    private func endWait(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume(returning: false)
    }

    /// The plan for the current state, without acting.
    public func plan() async throws -> Plan {
        try await observeAndPlan().plan
    }

    /// The plan if `specs` were applied (without pruning), leaving the store as it is.
    public func plan(overlaying specs: SpecSet) async throws -> Plan {
        var objects = Dictionary(try store.objects().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for loaded in specs.objects {
            let key = loaded.object.key
            let existing = objects[key]
            let changed = existing?.specHash != loaded.object.specHash || existing?.isDeleting == true
            objects[key] = StoredObject(uid: existing?.uid ?? "planned:\(key)", object: loaded.object, specHash: loaded.object.specHash,
                                        generation: (existing?.generation ?? 0) + (changed ? 1 : 0), owner: existing?.owner ?? .admin,
                                        createdAt: existing?.createdAt ?? Date(), updatedAt: Date(), deletionRequestedAt: nil)
        }
        let desired = DesiredState(objects: objects.values.sorted { $0.key < $1.key })
        let snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        return Diff.plan(desired: desired, observed: snapshot)
    }

    /// `migrating`: first move marks an earlier cse wrote in the GENERAL domain into the SYSTEM domain (`MarkMigration`),
    /// and observe again when it moved any.
    private func observeAndPlan(migrating: Bool = false) async throws -> (plan: Plan, snapshot: Snapshot) {
        let desired = DesiredState(objects: try store.objects())
        var snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        if migrating,
           try await MarkMigration(session: observer.session, desired: desired, pollInterval: runner.pollInterval, logger: logger).run(snapshot) > 0 {
            snapshot = try await observer.observe(sourceImages: Self.sourceImages(desired), placements: Self.placements(desired))
        }
        return (Diff.plan(desired: desired, observed: snapshot), snapshot)
    }

    /// One pass: observe, plan, record status, start runnable actions. Returns at once; actions go on.
    @discardableResult
    public func pass() async throws -> PassReport {
        var (plan, snapshot) = try await observeAndPlan(migrating: true)
        // An object whose last action failed for good (needs a spec or vCD change) is Failed, with vCD's reason,
        // until an action for it succeeds; it is still retried after its long back-off.
        for (key, failure) in permanentFailures {
            if let assessment = plan.assessments[key], assessment.phase != .ready {
                plan.assessments[key] = Assessment(.failed, assessment.message, failure: failure)
            } else {
                permanentFailures[key] = nil
            }
        }
        try record(plan, snapshot: snapshot)
        await tenantTasks.complete(store: store)
        var started: [PlannedAction] = []
        let now = ContinuousClock.now
        var perOrg: [String: Int] = [:]
        for entry in running.values { perOrg[entry.action.object.org, default: 0] += 1 }
        var lanesTaken = Set(running.keys)
        for action in plan.runnable {
            guard running.count < limits.global else { break }
            guard !lanesTaken.contains(action.lane), backoff.isReady(action.object.description, now: now),
                  perOrg[action.object.org, default: 0] < limits.perOrg else { continue }
            lanesTaken.insert(action.lane)
            perOrg[action.object.org, default: 0] += 1
            start(action)
            started.append(action)
        }
        return PassReport(plan: plan, started: started, inFlight: running.count)
    }

    public var inFlight: Int { running.count }

    /// Waits until an action ends, `poke()` is called, a backed-off object is due, or `timeout` passes.
    /// Returns true when woken by an event (an action ended, a poke), false on a timeout, a due back-off or cancellation.
    @discardableResult
    public func waitForChange(timeout: Duration) async -> Bool {
        if pendingWake {
            pendingWake = false
            return true
        }
        let deadline = ContinuousClock.now + timeout
        let due = backoff.nextReady(after: .now).map { min($0, deadline) } ?? deadline
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(until: due, clock: .continuous)
            self.endWait(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume(returning: false) } else { waiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.endWait(id) }
        }
    }

    /// Waits for every running action to end (used on shutdown and by `cse apply`).
    public func drain() async {
        for entry in running.values { await entry.task.value }
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
        for listener in listeners { listener(.started(action)) }
        let task = Task {
            do {
                let message = try await runner.run(action)
                self.finished(action, message: message, error: nil)
            } catch {
                self.finished(action, message: nil, error: error)
            }
        }
        running[action.lane] = (action, task)
    }

    private func finished(_ action: PlannedAction, message: String?, error: (any Error)?) {
        running[action.lane] = nil
        let objectKey = action.object.description
        let stored = try? store.object(action.object)
        if let message {
            backoff.succeeded(objectKey)
            permanentFailures[action.object] = nil
            if let stored { _ = try? store.recordEvent(for: stored, reason: Self.reason(action), message: message) }
            for listener in listeners { listener(.finished(action, message: message)) }
        } else if let error {
            let permanent = Self.isPermanent(error)
            backoff.failed(objectKey, permanent: permanent, now: .now)
            if permanent { permanentFailures[action.object] = "\(action.target): \(error)" }
            let text = "\(action.change.symbol) \(action.target): \(error)"
            logger.warning("\(action.object): \(text)")
            if let stored {
                _ = try? store.recordEvent(for: stored, type: .warning, reason: "ActionFailed", message: text)
                _ = try? store.updateStatus(of: stored.uid) { $0.lastError = "\(error)" }
            }
            for listener in listeners { listener(.failed(action, error: "\(error)")) }
        }
        signal()
    }

    /// Writes each desired object's assessment (and, for clusters, what vCD shows of them) as its status.
    private func record(_ plan: Plan, snapshot: Snapshot) throws {
        let now = Date()
        let vApps = Dictionary(snapshot.clusters.map { ($0.owner, $0) }, uniquingKeysWith: { first, _ in first })
        let markFindings = MarkReport.byObject(snapshot)
        let actionsByKey = Dictionary(grouping: plan.actions, by: \.object)
        for object in try store.objects() {
            guard let assessment = plan.assessments[object.key] else { continue }
            let waiting = actionsByKey[object.key] ?? []
            var phaseChanged = false
            var markEvent: (reason: String, message: String)?
            try store.updateStatus(of: object.uid) { status in
                if object.key.kind == .cluster {
                    status.observed = vApps[object.uid].map(Self.facts)
                    markEvent = MarkReport.apply(markFindings.clusters[object.uid] ?? [], to: &status, at: now)
                } else {
                    markEvent = MarkReport.apply(markFindings.templates[object.key.name] ?? [], to: &status, at: now)
                }
                let previous = status.phase
                status.phase = assessment.phase
                status.lastReconcileAt = now
                if assessment.phase == .ready || assessment.phase == .deleting || waiting.isEmpty {
                    status.observedGeneration = object.generation
                }
                if let failure = assessment.failure { status.lastError = failure } else if assessment.phase == .ready { status.lastError = nil }
                status.setCondition("Ready", status: assessment.phase == .ready ? .true : .false,
                                    reason: assessment.phase.rawValue, message: assessment.message, at: now)
                phaseChanged = previous != assessment.phase && (previous != .pending || assessment.phase != .pending)
            }
            // Recorded after the status transaction: the store's writes do not nest.
            if let markEvent { _ = try? store.recordEvent(for: object, type: .warning, reason: markEvent.reason, message: markEvent.message) }
            if phaseChanged {
                _ = try? store.recordEvent(for: object, type: assessment.phase == .failed ? .warning : .normal,
                                           reason: assessment.phase.rawValue, message: assessment.failure ?? assessment.message)
            }
        }
    }

    static func facts(_ vApp: ObservedVApp) -> ObservedFacts {
        let master = vApp.vms.first { Naming.parseVM($0.name, cluster: vApp.name)?.role == .master }
        let nodes = vApp.vms.filter { Naming.parseVM($0.name, cluster: vApp.name)?.role == .node }.map(\.name)
        return ObservedFacts(vAppHref: vApp.href, masterIP: master?.ipAddress, masterName: master?.name, nodeNames: nodes)
    }

    /// Where each desired cluster must be: the observer does not believe a vApp claiming it elsewhere.
    static func placements(_ desired: DesiredState) -> [String: ClusterPlacement] {
        Dictionary(desired.clusters.map { ($0.uid, ClusterPlacement(org: $0.spec.org, vdc: $0.spec.vdc)) }, uniquingKeysWith: { first, _ in first })
    }

    static func sourceImages(_ desired: DesiredState) -> [SourceImageRef] {
        desired.templates.map { SourceImageRef(org: $0.spec.build.org, catalog: $0.spec.build.catalog, item: $0.spec.source.catalogItem) }
    }

    static func isPermanent(_ error: any Error) -> Bool {
        switch error {
        case let error as ExecutionError: if case .permanent = error { return true } else { return false }
        case let error as VCDError: return !error.isTransient
        case is TaskWaitError: return false
        default: return false
        }
    }

    static func reason(_ action: PlannedAction) -> String {
        switch action.step {
        case .uploadSourceImage: return "SourceUploaded"
        case .instantiateBuildVApp: return "BuildStarted"
        case .captureTemplate: return "TemplateCaptured"
        case .deleteTemplateItem: return "RevisionDeleted"
        case .createClusterVApp: return "VAppCreated"
        case .addVMs: return "VMsAdded"
        case .powerOnVM: return "PoweredOn"
        case .setMetadata: return "MetadataRecorded"
        case .reconfigureVM: return "Resized"
        case .removeVMs: return "VMsRemoved"
        case .deleteVApp: return "VAppDeleted"
        case .confirmDeleted: return "Deleted"
        }
    }
}
