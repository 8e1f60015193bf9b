import AMQPTransport
import ArgumentParser
import Dispatch
import ExtensionService
import TenantAPI
import Foundation
import Logging
import Reconcile
import Spec
import Synchronization

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the service: the reconcile loop (and, with an amqp section, tenant requests from vCD).",
        discussion: """
            Reconciles whenever desired state changes (cse apply, tenant requests), when an action ends, and every \
            service.resync_interval_seconds to repair drift. Any number of replicas may run on one store and one queue: \
            each serves tenant requests, the one holding the store's lease (service.lease.ttl) reconciles, a standby \
            takes over once the holder's lease expires. Logs to stderr and to service.log_file. SIGTERM or SIGINT: \
            stops starting work, lets running actions finish for up to --grace seconds, hands back the rest (every \
            action is safe to repeat) and exits 0. With service.http.listen (HOST:PORT): Prometheus metrics on /metrics, \
            /healthz (alive) and /readyz (store, vCD and AMQP reachable; 503 with a JSON body naming what is not). \
            Under systemd (Type=notify, $NOTIFY_SOCKET): READY=1 once serving, STATUS= says whether it reconciles.
            """
    )

    @Argument(help: "config.yaml (vcd, amqp, store, service); without a vcd section the embedded simulator is used.")
    var config: String?

    @Option(help: "Seconds to let running actions finish on shutdown.")
    var grace = 30

    @Flag(name: .shortAndLong, help: "Debug logging.")
    var verbose = false

    @OptionGroup var options: StoreOptions
    @OptionGroup var deletion: DeletionOptions

    func run() async throws {
        var storeOptions = options
        if let config { storeOptions.config = config }
        let loaded = try storeOptions.loadConfig()
        let settings = loaded.service
        let logger = CLILogging.logger(verbose: verbose, file: settings.logFile, level: settings.logLevel)
        // Any number of replicas run on one store (and one broker): every replica serves tenant requests, one at a time
        // holds the store's lease and reconciles; the others wait for it (a standby takes over once the holder's lease
        // expires). SIGTERM/SIGINT are handled from the start: a standby stops cleanly too.
        let stop = ShutdownFlag()
        let signals = Task {
            let name = await ShutdownSignal.wait()
            stop.raise()
            return name
        }
        let systemd = SystemdNotifier(logger: logger)
        let health = try await startHealthServer(loaded, logger: logger)
        health?.readiness.starting("connecting to vCD")
        let context = try await ReconcileContext.open(storeOptions: storeOptions, deletionGuard: deletion.deletionGuard, creating: true, logger: logger)
        logger.info("cse \(CSEVersion.current) serving against \(context.connection.description); resync every \(settings.resyncIntervalSeconds) s")
        let lease = LeaseKeeper(store: context.store, role: "cse run", duration: TimeInterval(settings.leaseTTLSeconds))
        let current = CurrentReconciler()
        // PostgreSQL tells at once when any replica or `cse apply` commits a change (LISTEN/NOTIFY); SQLite's
        // changes are found by polling the change token every second. Either wakes this replica's reconciler, if it
        // holds the lease.
        context.store.onDesiredStateChange { current.poke() }
        let consumers = try startConsumers(loaded, context: context, current: current, logger: logger)
        health?.readiness.serving(checks: Self.readinessChecks(context), consumers: consumers.map(\.session))
        systemd.ready(status: consumers.isEmpty ? "serving (no amqp section: no tenant requests)"
                                                : "serving tenant requests on \(consumers.count) listener(s)")
        let terms = Task {
            await LeaseTerms(lease: lease, context: context, current: current, settings: settings, grace: grace, logger: logger,
                             systemd: systemd)
                .run(until: { stop.isRaised })
        }
        let signal = await signals.value
        systemd.stopping(status: "received \(signal); stopping")
        for consumer in consumers { consumer.task.cancel() }
        for consumer in consumers { _ = await consumer.task.result }
        terms.cancel()
        if await terms.value {
            logger.notice("received \(signal); stopping")
        } else {
            logger.notice("received \(signal) while waiting for the store's lease; stopped")
        }
        await context.connection.close()
        await health?.server.stop()
        logger.notice("stopped")
    }
}

extension RunCommand {
    /// Tenant requests from vCD: `service.listeners` competing consumers of the extension queue (shared by every
    /// replica), each serving `service.inflight_per_listener` requests at once over one ClusterAPI (so their writes
    /// share commits). A committed request wakes the reconcile loop at once when this replica reconciles.
    func startConsumers(_ config: ServiceConfig, context: ReconcileContext, current: CurrentReconciler, logger: Logger) throws
        -> [(session: AMQPConsumerSession, task: Task<Void, any Error>)] {
        guard let amqp = config.amqp else {
            logger.info("no amqp section: tenant requests are not served")
            return []
        }
        let url = try amqp.url(logger: logger)
        let inFlight = config.service.inFlightPerListener
        // The broker pushes as many unacknowledged requests as a consumer serves at once.
        let topology = AMQPTopology(exchange: amqp.exchange, queue: amqp.routingKey, routingKey: amqp.routingKey, prefetch: UInt16(inFlight))
        let vcd = context.connection.session
        let api = ClusterAPI(store: context.store, callers: VCDCallers(session: vcd), tasks: VCDTaskPublisher(session: vcd),
                             kubeconfigs: VCDKubeconfigs(session: vcd, keys: context.keys), placements: VCDPlacements(session: vcd), logger: logger)
        return (0..<max(1, config.service.listeners)).map { _ in
            let session = AMQPConsumerSession(url: url, topology: topology, logger: logger)
            let service = ExtensionService(session: session, api: api, logger: logger, inFlight: inFlight) { event in
                if case .committed = event { current.poke() }
            }
            return (session, Task {
                defer { Task { await session.close() } }
                try await service.run()
            })
        }
    }
}

/// Set once SIGTERM or SIGINT arrived (read by loops that cannot await the signal).
final class ShutdownFlag: Sendable {
    private let raised = Mutex(false)
    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}

/// Waits for SIGTERM or SIGINT (handled, not fatal, so shutdown can be orderly).
enum ShutdownSignal {
    static func wait() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let queue = DispatchQueue(label: "cse.signals")
            let resumed = Resumed()
            var sources: [any DispatchSourceSignal] = []
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    if resumed.claim() { continuation.resume(returning: name) }
                }
                source.resume()
                sources.append(source)
            }
            // The sources live as long as the process: shutdown follows.
            Retained.keep(sources)
        }
    }

    private final class Resumed: @unchecked Sendable {
        private var done = false
        private let lock = NSLock()
        func claim() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }

    private enum Retained {
        nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
        static func keep(_ sources: [any DispatchSourceSignal]) { self.sources += sources }
    }
}
