import AMQPTransport
import ArgumentParser
import ExtensionService
import Foundation
import Reconcile
import Store

/// `cse bench replicas`: tenant requests per second with 1 and with N replica processes competing for one queue and
/// committing to one store, then the lease's failover time: N processes keep the store's reconciler lease
/// (`LeaseKeeper`, as `cse run` does), the holder is killed with SIGKILL, and the time until another holds it is
/// measured. Every replica is a process of its own (this binary, `cse bench replica-serve` / `lease-holder`).
struct BenchReplicasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicas",
        abstract: "Tenant requests per second with 1 and N replica processes on one store and queue, and lease failover time."
    )

    @OptionGroup var brokerOption: BenchBrokerOption

    @Option(help: "Requests per measurement.")
    var requests = 1000

    @Option(help: "Requests in flight at once.")
    var window = 16

    @Option(help: "Replica processes in the second measurement and in the failover rounds.")
    var replicas = 3

    @Option(help: "Consumers per replica (service.listeners).")
    var listeners = 2

    @Option(help: "Lease TTL in seconds for the failover rounds (service.lease.ttl).")
    var ttl = 15

    @Option(help: "Failover rounds (0: none).")
    var rounds = 3

    @Option(help: "A PostgreSQL URL (postgres://USER@HOST:PORT/DB, no schema): every measurement in a fresh schema there; default a SQLite file per measurement.")
    var storeURL: String?

    func validate() throws {
        guard requests > 0, window > 0, replicas > 1, listeners > 0, ttl >= 2, rounds >= 0 else {
            throw ValidationError("--requests, --window and --listeners must be positive, --replicas above 1, --ttl at least 2")
        }
    }

    func run() async throws {
        let (text, broker) = try brokerOption.resolve()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bench-replicas-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        print("Replica benchmark against \(broker.redacted): \(requests) tenant creates, \(window) in flight, \(listeners) consumer(s) per replica")
        for count in [1, replicas] {
            let tag = "r\(count)-\(UUID().uuidString.prefix(4).lowercased())"
            let store = BenchmarkStoreLocation.fresh(base: storeURL, directory: directory.path, name: "requests-\(tag)")
            try ReplicaBenchmark.prepareStore(location: store, scratch: directory.path)
            let exchange = "cse-bench-replicas-\(tag)", queue = "cse-bench-replicas-\(tag)"
            let processes = try (0..<count).map { _ in
                try Self.spawn(["bench", "replica-serve", "--url", text, "--store", store, "--scratch", directory.path, "--exchange", exchange,
                                "--queue", queue, "--listeners", String(listeners)])
            }
            defer { for process in processes where process.isRunning { process.terminate() } }
            let measured = try await ReplicaBenchmark.measure(url: broker, exchange: exchange, queue: queue, requests: requests, window: window, tag: tag)
            for process in processes where process.isRunning { process.terminate() }
            await ReplicaBenchmark.removeQueue(url: broker, exchange: exchange, queue: queue)
            print(String(format: "%d replica(s): %6d requests in %7.3f s  %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  failures %d",
                         count, measured.requests, measured.seconds, measured.requestsPerSecond, measured.p50Milliseconds,
                         measured.p99Milliseconds, measured.failures))
        }
        guard rounds > 0 else { return }
        let store = BenchmarkStoreLocation.fresh(base: storeURL, directory: directory.path, name: "lease-\(UUID().uuidString.prefix(4))")
        let observer = try BenchmarkStoreLocation.open(store, scratch: directory.path)
        var times: [Double] = []
        for round in 1...rounds {
            var holders = try (0..<replicas).map { _ in try Self.spawn(["bench", "lease-holder", "--store", store, "--scratch", directory.path, "--ttl", String(ttl)]) }
            defer { for process in holders where process.isRunning { process.terminate() } }
            let pids = Set(holders.map(\.processIdentifier))
            guard let holder = try await Self.holder(observer, among: pids, except: nil, within: .seconds(ttl * 4 + 30)) else {
                throw ValidationError("round \(round): no lease-holder process took the lease")
            }
            // Killed in steady state, at a random point between two renewals (not just after the lease was taken).
            try await Task.sleep(for: .milliseconds(ttl * 1000 + Int.random(in: 0..<(ttl * 1000 / 3))))
            kill(holder, SIGKILL)
            let killed = ContinuousClock.now
            guard try await Self.holder(observer, among: pids, except: holder, within: .seconds(ttl * 4 + 30)) != nil else {
                throw ValidationError("round \(round): no standby took the lease after its holder was killed")
            }
            let seconds = (ContinuousClock.now - killed).milliseconds / 1000
            times.append(seconds)
            print(String(format: "failover round %d: %.2f s after SIGKILL of the holder (lease ttl %d s)", round, seconds, ttl))
            for process in holders where process.isRunning { process.terminate() }
            for process in holders { process.waitUntilExit() }
            holders = []
        }
        print(String(format: "failover: mean %.2f s, max %.2f s over %d round(s), ttl %d s (renewed every %.1f s, standbys try every %.1f s)",
                     times.reduce(0, +) / Double(times.count), times.max() ?? 0, times.count, ttl, Double(ttl) / 3, min(Double(ttl) / 10, 1)))
    }

    /// This binary again, with `arguments`; its output is discarded.
    static func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The pid in the lease's holder once it is one of `pids` other than `except`, polled every 20 ms.
    static func holder(_ store: DesiredStateStore, among pids: Set<Int32>, except: Int32?, within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try store.lease()?.holder, let range = text.range(of: #"pid [0-9]+"#, options: .regularExpression),
               let pid = Int32(text[range].dropFirst(4)), pids.contains(pid), pid != except {
                return pid
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// `cse bench replica-serve`: one replica of the tenant-request benchmark (started by `cse bench replicas`).
struct BenchReplicaServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replica-serve", abstract: "One replica of `cse bench replicas`.",
                                                    shouldDisplay: false)
    @Option var url: String
    @Option var store: String
    @Option var scratch: String
    @Option var exchange: String
    @Option var queue: String
    @Option var listeners = 2

    func run() async throws {
        try await ReplicaBenchmark.serve(url: try AMQPURL(url), location: store, scratch: scratch, exchange: exchange, queue: queue,
                                         listeners: listeners)
    }
}

/// `cse bench lease-holder`: takes and keeps the store's reconciler lease as `cse run` does (started by `cse bench replicas`).
struct BenchLeaseHolderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lease-holder", abstract: "One lease holder of `cse bench replicas`.",
                                                    shouldDisplay: false)
    @Option var store: String
    @Option var scratch: String
    @Option var ttl = 15

    func run() async throws {
        let keeper = LeaseKeeper(store: try BenchmarkStoreLocation.open(store, scratch: scratch), role: "cse bench", duration: TimeInterval(ttl))
        while true {
            guard let fence = try await keeper.acquire(waiting: { _ in }) else { return }
            let renewing = keeper.keepRenewing(fence)
            while fence.isHeld { try await Task.sleep(for: .milliseconds(100)) }
            renewing.cancel()
        }
    }
}
