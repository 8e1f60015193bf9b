import ArgumentParser
import Bootstrap
import Foundation
import GuestSecrets
import Logging
import Observe
import Reconcile
import Spec
import Store
import Synchronization
import VCDClient
import VCDSim

/// How close convergence comes to its bounds: one cluster alone, then N at once, built from nothing on the simulator
/// with vCD-like timings (tasks of `--task-seconds`, every call delayed by `--latency-ms` + up to `--jitter-ms`,
/// guests that take `--guest-seconds` to bootstrap). Printed per run: wall time, vCD tasks and calls per cluster.
///
/// Critical path of a cluster = the time during which any of its actions was running (they follow one another in its
/// lane: each waits for the previous one's result) + its two guest bootstraps (master, then the nodes together), measured
/// in the single-cluster run. Throughput bound = N x (action time of one cluster) / the concurrency limit (every
/// cluster is in org1: min(global, per org)).
/// Goal: wall time / max(critical path, throughput bound) <= 1.25, for one cluster and for N.
struct BenchConvergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "converge", abstract: "Convergence time against its critical path and throughput bound.")

    @Option(help: "Clusters built at once.")
    var clusters = 50

    @Option(help: "Worker nodes per cluster.")
    var nodes = 2

    @Option(help: "Seconds each vCD task runs.")
    var taskSeconds = 2.0

    @Option(help: "Latency added to every call, ms.")
    var latencyMs = 100

    @Option(help: "Up to this much more latency, ms.")
    var jitterMs = 100

    @Option(help: "Seconds a guest takes from power-on to bootstrap done.")
    var guestSeconds = 4.0

    @Option(help: "Seconds to wait for convergence.")
    var timeoutSeconds = 1800

    @Option(help: "Global limit of concurrent actions (service.concurrency.global).")
    var global = ServiceSettings.Concurrency().global

    @Option(help: "Per-org limit of concurrent actions (service.concurrency.per_org).")
    var perOrg = ServiceSettings.Concurrency().perOrg

    func run() async throws {
        print("converge: clusters of 1 master + \(nodes) nodes; tasks \(taskSeconds) s, calls +\(latencyMs)-\(latencyMs + jitterMs) ms, guests \(guestSeconds) s;"
              + " limits \(global) global, \(perOrg) per org")
        let single = try await measure(count: 1)
        let criticalPath = single.actionSeconds + 2 * guestSeconds
        print(String(format: "1 cluster:  %.1f s; critical path %.1f s (actions %.1f s + guests 2 x %.1f s); %.2fx; %d tasks, %d calls, %d failed actions",
                     single.wall, criticalPath, single.actionSeconds, guestSeconds, single.wall / criticalPath, single.tasks, single.calls,
                     single.failedActions))
        guard clusters > 1 else { return }
        let fleet = try await measure(count: clusters)
        let throughputBound = Double(clusters) * single.actionSeconds / Double(max(1, min(global, perOrg, clusters)))
        let bound = max(criticalPath, throughputBound)
        print(String(format: "%d clusters: %.1f s; critical path %.1f s, throughput bound %.1f s; measured / max = %.2f; per cluster %.1f tasks, %.0f calls; %d failed actions",
                     clusters, fleet.wall, criticalPath, throughputBound, fleet.wall / bound,
                     Double(fleet.tasks) / Double(clusters), Double(fleet.calls) / Double(clusters), fleet.failedActions))
    }

    struct Run {
        var wall: Double
        /// Seconds actions of one cluster (the first) spent running.
        var actionSeconds: Double
        var tasks: Int
        var calls: Int
        var failedActions: Int
    }

    func measure(count: Int) async throws -> Run {
        var logger = Logger(label: "cse.bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-converge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DesiredStateStore(path: (directory as NSString).appendingPathComponent("store.sqlite"))
        let fleet = try ReadyFleet.seed(store: store, clusters: 0, nodes: nodes)
        try store.transaction { transaction in
            for index in 0..<count {
                _ = try transaction.put(.cluster(ClusterSpec(name: "c\(index)", org: "org1", vdc: "org1-vdc", template: fleet.template.name,
                                                             network: "intranet", nodes: NodePool(count: nodes))), owner: .admin)
            }
        }
        var options = SimOptions()
        options.taskSeconds = taskSeconds
        let phases = Double(GuestContract.phases(for: .master).count)
        options.bootSeconds = guestSeconds / 4
        options.phaseSeconds = (guestSeconds - options.bootSeconds) / phases
        options.faults = [FaultRule(kind: .latency, latencyMs: latencyMs, jitterMs: jitterMs)]
        let simulator = try Simulator(options: options)
        await simulator.seedReadyCloud(installation: try store.installationID(), cloudInit: fleet.template.os.hasCloudInit, template: fleet.template.name, revision: fleet.revision, specHash: fleet.templateHash,
                                       item: Naming.templateItem(fleet.template.catalogItem, revision: fleet.revision), clusters: [],
                                       masterSize: (fleet.template.master.cpu, fleet.template.master.memoryMB),
                                       nodeSize: (fleet.template.node.cpu, fleet.template.node.memoryMB))
        let server = try await SimServer.start(simulator, logger: logger)
        let session = VCDSession(baseURL: server.baseURL, credentials: EmbeddedVCD.administrator, logger: logger)
        try await session.connect()
        let observer = Observer(session: session, logger: logger)
        let keys = try await InstallationKeys.load(directory: InstallationKeys.directory(forStore: store.path))
        let runner = ActionRunner(vcd: session, scripts: BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current)), guestSecrets: keys,
                                  pollInterval: .milliseconds(100), logger: logger)
        let reconciler = Reconciler(store: store, observer: observer, runner: runner, limits: Reconciler.Limits(global: global, perOrg: perOrg),
                                    logger: logger)
        let timing = ActionTiming(object: ObjectKey(kind: .cluster, org: "org1", name: "c0"))
        await reconciler.onEvent { timing.record($0) }
        _ = await simulator.takeCounters()
        let tasksBefore = await simulator.taskCount()
        let started = ContinuousClock.now
        let last = Mutex<String>("")
        let outcome = try await reconciler.converge(timeout: .seconds(timeoutSeconds)) { report in
            last.withLock { $0 = Converge.summary(report) }
        }
        let wall = (ContinuousClock.now - started).milliseconds / 1000
        guard case .converged = outcome else {
            throw ValidationError("\(count) cluster(s) did not converge: \(outcome); last pass: \(last.withLock { $0 })")
        }
        let calls = await simulator.takeCounters()["total"] ?? 0
        let tasks = await simulator.taskCount() - tasksBefore
        await session.logout()
        await server.stop()
        for failure in timing.failed.prefix(5) { print("  failed action: \(failure)") }
        return Run(wall: wall, actionSeconds: timing.seconds, tasks: tasks, calls: calls, failedActions: timing.failed.count)
    }
}

/// Seconds during which at least one of an object's actions was running (actions of one cluster that run side by
/// side, on different VMs, count once), from the reconciler's events.
final class ActionTiming: Sendable {
    let object: ObjectKey
    private let state = Mutex<(running: Int, since: ContinuousClock.Instant, total: Duration)>((0, .now, .zero))
    /// Failed actions of any object (BUSY_ENTITY among them): a run at the right limits has none.
    private let failures = Mutex<[String]>([])

    init(object: ObjectKey) { self.object = object }

    func record(_ event: Reconciler.Event) {
        let now = ContinuousClock.now
        if case .failed(let action, let error) = event { failures.withLock { $0.append("\(action.object): \(error)") } }
        switch event {
        case .started(let action) where action.object == object:
            state.withLock { value in
                if value.running == 0 { value.since = now }
                value.running += 1
            }
        case .finished(let action, _) where action.object == object, .failed(let action, _) where action.object == object:
            state.withLock { value in
                value.running -= 1
                if value.running == 0 { value.total += now - value.since }
            }
        default: break
        }
    }

    var seconds: Double { state.withLock { $0.total.milliseconds / 1000 } }
    var failed: [String] { failures.withLock { $0 } }
}
