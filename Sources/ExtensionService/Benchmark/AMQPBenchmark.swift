import AMQPTransport
import Foundation
import Logging
import Store
import TenantAPI

/// Measures tenant requests per second through RabbitMQ, each a `POST /api/cluster` committed to a fresh
/// durable store, beside a raw rabbitmq-c echo consumer over the same broker in the same run.
/// Everything it creates (exchanges, queues, a temporary store) is removed afterwards.
///
/// The two paths are measured in alternating rounds (echo then tenant, tenant then echo, ...), so that a change in the
/// machine's speed during the run (other load, a shared host) weighs on both alike instead of on one phase.
public enum AMQPBenchmark {
    /// `listeners` consumers serving `inFlight` requests each, as `cse run` does with `service.listeners` and
    /// `service.inflight_per_listener`; `requests` per path, split over `rounds`.
    public static func run(url: AMQPURL, requests: Int = 2000, window: Int = 16, listeners: Int = 2, inFlight: Int = 16, rounds: Int = 5,
                           logger: Logger = Logger(label: "cse.bench")) async throws -> AMQPBenchmarkReport {
        precondition(requests > 0 && window > 0 && listeners > 0 && inFlight > 0, "requests, window, listeners and in-flight must be positive")
        precondition(rounds > 0 && rounds <= requests, "between one round and one request per round")
        let tag = UUID().uuidString.prefix(8).lowercased()
        let names = (exchange: "cse-bench-\(tag)", raw: "cse-bench-raw-\(tag)", service: "cse-bench-api-\(tag)",
                     replyExchange: "cse-bench-reply-\(tag)", replyQueue: "cse-bench-replies-\(tag)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bench-\(tag)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let client = try await BenchmarkClient.open(url: url, replyExchange: names.replyExchange, replyQueue: names.replyQueue)
        do {
            let report = try await measure(url: url, requests: requests, rounds: rounds, window: window, service: (listeners, inFlight),
                                           names: names, directory: directory, client: client, logger: logger)
            await removeTopology(names, client: client)
            return report
        } catch {
            await removeTopology(names, client: client)
            throw error
        }
    }

    static let warmUp = 20

    typealias Names = (exchange: String, raw: String, service: String, replyExchange: String, replyQueue: String)

    private static func measure(url: AMQPURL, requests: Int, rounds: Int, window: Int, service shape: (listeners: Int, inFlight: Int),
                                names: Names, directory: URL, client: BenchmarkClient, logger: Logger) async throws -> AMQPBenchmarkReport {
        // The baseline: the raw echo.
        let echo = try await RawEchoConsumer.start(url: url, topology: AMQPTopology(exchange: names.exchange, queue: names.raw))
        let echoTask = Task { await echo.run() }
        defer { echoTask.cancel() }  // also when a measurement throws

        // The tenant API path with a durable store commit per request.
        let store = try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path)
        try store.put(.template(BenchmarkRequests.template), owner: .admin)
        // Read back from the connection the requests' commits go through.
        let synchronous = try store.writerSynchronousMode()
        var quiet = logger
        quiet.logLevel = .warning
        let api = ClusterAPI(store: store, callers: BenchmarkCallers(), tasks: BenchmarkTasks(), kubeconfigs: NoKubeconfigs(), logger: quiet)
        let topology = AMQPTopology(exchange: names.exchange, queue: names.service, prefetch: UInt16(shape.inFlight))
        // Declared up front: the service connects in the background, and a message published before its
        // queue is bound would be dropped by the exchange.
        try await client.connection.declareQueue(topology.queue)
        try await client.connection.bindQueue(topology.queue, exchange: topology.exchange, routingKey: topology.routingKey)
        let serviceTasks = (0..<shape.listeners).map { _ in
            let session = AMQPConsumerSession(url: url, topology: topology, logger: quiet)
            let service = ExtensionService(session: session, api: api, logger: quiet, inFlight: shape.inFlight)
            return Task { try await service.run() }
        }
        defer { for task in serviceTasks { task.cancel() } }

        // Each path starts with an unmeasured warm-up, so connection setup is not counted as latency.
        _ = try await client.measure(count: warmUp, window: window, exchange: names.exchange, routingKey: names.raw,
                                     body: { index, id in BenchmarkRequests.createCluster(index: index, requestID: id, prefix: "warm") },
                                     accept: { !$0.isEmpty })
        _ = try await client.measure(count: warmUp, window: window, exchange: names.exchange, routingKey: names.service,
                                     body: { index, id in BenchmarkRequests.createCluster(index: index, requestID: id, prefix: "warm") },
                                     accept: BenchmarkRequests.isAccepted)
        // Each request writes twice: its change, answered at once, then its vCD task's href and answer, committed after the
        // reply went out. The statistics are read once a phase's second writes committed too (at most 10 s later).
        let before = await Self.statistics(of: api, reaching: 2 * warmUp)

        var echoRounds: [ThroughputMeasurement] = []
        var serviceRounds: [ThroughputMeasurement] = []
        var done = 0
        for round in 0..<rounds {
            let count = (requests - done) / (rounds - round)
            let first = done
            func measureEcho() async throws {
                echoRounds.append(try await client.measure(
                    count: count, window: window, exchange: names.exchange, routingKey: names.raw,
                    body: { index, id in BenchmarkRequests.createCluster(index: first + index, requestID: id) }, accept: { !$0.isEmpty }))
            }
            func measureService() async throws {
                serviceRounds.append(try await client.measure(
                    count: count, window: window, exchange: names.exchange, routingKey: names.service,
                    body: { index, id in BenchmarkRequests.createCluster(index: first + index, requestID: id) },
                    accept: BenchmarkRequests.isAccepted))
            }
            if round.isMultiple(of: 2) {
                try await measureEcho()
                try await measureService()
            } else {
                try await measureService()
                try await measureEcho()
            }
            done += count
        }
        let after = await Self.statistics(of: api, reaching: before.pieces + 2 * requests)
        echoTask.cancel()
        _ = await echoTask.value
        await echo.connection.close()
        for task in serviceTasks { task.cancel() }
        for task in serviceTasks { _ = try? await task.value }
        return AMQPBenchmarkReport(broker: url.redacted, window: window, listeners: shape.listeners, inFlight: shape.inFlight,
                                   serviceRounds: serviceRounds, echoRounds: echoRounds, synchronous: synchronous,
                                   commits: after.since(before))
    }

    /// The API's commit statistics once `pieces` writes committed, or as they are after 10 s.
    private static func statistics(of api: ClusterAPI, reaching pieces: Int) async -> GroupCommit.Statistics {
        let deadline = ContinuousClock.now + .seconds(10)
        while api.commitStatistics.pieces < pieces, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
        return api.commitStatistics
    }

    private static func removeTopology(_ names: Names, client: BenchmarkClient) async {
        for queue in [names.raw, names.service, names.replyQueue] { try? await client.connection.deleteQueue(queue) }
        for exchange in [names.exchange, names.replyExchange] { try? await client.connection.deleteExchange(exchange) }
        await client.connection.close()
    }
}
