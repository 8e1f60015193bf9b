import AMQPTransport
import Foundation
import Logging
import Store
import TenantAPI

/// Tenant requests per second when several processes (replicas of `cse run`) consume one shared queue and commit to
/// one store: the caller starts the replicas (`serve`, each in a process of its own) and then measures (`measure`).
public enum ReplicaBenchmark {
    /// A fresh store the replicas share (a SQLite path or a PostgreSQL URL), with the template tenants' creates name.
    public static func prepareStore(location: String, scratch: String) throws {
        let store = try BenchmarkStoreLocation.open(location, scratch: scratch)
        try store.put(.template(BenchmarkRequests.template), owner: .admin)
    }

    /// One replica: `listeners` competing consumers of `queue` answering tenant creates over the store at `location`
    /// (a SQLite path or a PostgreSQL URL; vCD stand-ins as in `cse bench amqp`), until cancelled.
    public static func serve(url: AMQPURL, location: String, scratch: String, exchange: String, queue: String, listeners: Int) async throws {
        let store = try BenchmarkStoreLocation.open(location, scratch: scratch)
        let quiet = {
            var logger = Logger(label: "cse.bench.replica")
            logger.logLevel = .warning
            return logger
        }()
        let api = ClusterAPI(store: store, callers: BenchmarkCallers(), tasks: BenchmarkTasks(), kubeconfigs: NoKubeconfigs(), logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, listeners) {
                group.addTask {
                    let session = AMQPConsumerSession(url: url, topology: AMQPTopology(exchange: exchange, queue: queue), logger: quiet)
                    try await ExtensionService(session: session, api: api, logger: quiet).run()
                }
            }
            try await group.waitForAll()
        }
    }

    /// Declares the shared queue (so nothing published before the replicas connect is dropped), warms up, and measures
    /// `requests` tenant creates with `window` in flight. `tag` keeps cluster names apart between runs on one store.
    public static func measure(url: AMQPURL, exchange: String, queue: String, requests: Int, window: Int, tag: String) async throws -> ThroughputMeasurement {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let client = try await BenchmarkClient.open(url: url, replyExchange: "cse-bench-reply-\(suffix)", replyQueue: "cse-bench-replies-\(suffix)")
        defer { Task { await client.connection.close() } }
        try await client.connection.declareExchange(exchange)
        try await client.connection.declareQueue(queue)
        try await client.connection.bindQueue(queue, exchange: exchange, routingKey: queue)
        _ = try await client.measure(count: AMQPBenchmark.warmUp, window: window, exchange: exchange, routingKey: queue,
                                     body: { index, id in BenchmarkRequests.createCluster(index: index, requestID: id, prefix: "warm-\(tag)") },
                                     accept: BenchmarkRequests.isAccepted)
        let measured = try await client.measure(count: requests, window: window, exchange: exchange, routingKey: queue,
                                                body: { index, id in BenchmarkRequests.createCluster(index: index, requestID: id, prefix: "b-\(tag)") },
                                                accept: BenchmarkRequests.isAccepted)
        try? await client.connection.deleteQueue(client.replyQueue)
        try? await client.connection.deleteExchange(client.replyExchange)
        return measured
    }

    /// Removes what `measure` declared.
    public static func removeQueue(url: AMQPURL, exchange: String, queue: String) async {
        guard let connection = try? await AMQPConnection.connect(to: url) else { return }
        try? await connection.deleteQueue(queue)
        try? await connection.deleteExchange(exchange)
        await connection.close()
    }
}
