import Foundation
import Store

/// Throughput and latency of one benchmark phase, measured by the requesting side.
public struct ThroughputMeasurement: Sendable, Equatable {
    public var requests: Int
    public var seconds: Double
    /// Replies that were not the expected status.
    public var failures: Int
    public var latencies: [Double]
    /// CPU time (user + system) this process spent during the phase: the requesting side and the serving side (the
    /// echo or the service) together; the broker's is not in it. Less disturbed by other load than the rate.
    public var cpuSeconds: Double = 0

    public var cpuMillisecondsPerRequest: Double { requests > 0 ? cpuSeconds * 1000 / Double(requests) : 0 }

    public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
    public var p50Milliseconds: Double { percentile(0.50) * 1000 }
    public var p99Milliseconds: Double { percentile(0.99) * 1000 }

    func percentile(_ fraction: Double) -> Double {
        let sorted = latencies.sorted()
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }
}

extension ThroughputMeasurement {
    /// Several rounds of one path as one measurement: their requests, times, failures, latencies and CPU added up.
    public init(combining rounds: [ThroughputMeasurement]) {
        self.init(requests: rounds.reduce(0) { $0 + $1.requests }, seconds: rounds.reduce(0) { $0 + $1.seconds },
                  failures: rounds.reduce(0) { $0 + $1.failures }, latencies: rounds.flatMap(\.latencies),
                  cpuSeconds: rounds.reduce(0) { $0 + $1.cpuSeconds })
    }
}

/// The tenant-request path (decode, ClusterAPI, durable store commit, reply, ack) beside a raw rabbitmq-c
/// echo over the same broker, same message sizes and window, measured in alternating rounds of one run.
public struct AMQPBenchmarkReport: Sendable, CustomStringConvertible {
    public var broker: String
    public var window: Int
    /// The service's consumers and requests in flight on each.
    public var listeners: Int
    public var inFlight: Int
    /// Each path's rounds, in the order they ran, and all of them together.
    public var serviceRounds: [ThroughputMeasurement]
    public var echoRounds: [ThroughputMeasurement]
    public var service: ThroughputMeasurement
    public var rawEcho: ThroughputMeasurement
    /// `PRAGMA synchronous` as read back from the store's writer connection (nil: an unknown level).
    public var synchronous: DesiredStateStore.SynchronousMode?
    /// Commits and group-committed writes of the measured requests.
    public var commits: GroupCommit.Statistics

    public init(broker: String, window: Int, listeners: Int, inFlight: Int, serviceRounds: [ThroughputMeasurement],
                echoRounds: [ThroughputMeasurement], synchronous: DesiredStateStore.SynchronousMode?, commits: GroupCommit.Statistics) {
        self.broker = broker
        self.window = window
        self.listeners = listeners
        self.inFlight = inFlight
        self.serviceRounds = serviceRounds
        self.echoRounds = echoRounds
        service = ThroughputMeasurement(combining: serviceRounds)
        rawEcho = ThroughputMeasurement(combining: echoRounds)
        self.synchronous = synchronous
        self.commits = commits
    }

    /// Tenant requests per second as a fraction of the raw echo's rate, over all rounds.
    public var ratio: Double { Self.ratio(service, rawEcho) }

    /// The same fraction within each round (the two paths measured back to back).
    public var roundRatios: [Double] { zip(serviceRounds, echoRounds).map { Self.ratio($0, $1) } }

    private static func ratio(_ service: ThroughputMeasurement, _ echo: ThroughputMeasurement) -> Double {
        echo.requestsPerSecond > 0 ? service.requestsPerSecond / echo.requestsPerSecond : 0
    }

    public var description: String {
        func line(_ name: String, _ m: ThroughputMeasurement) -> String {
            String(format: "%@ %6d requests in %7.3f s  %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  failures %d  cse CPU %.3f ms/request",
                   name, m.requests, m.seconds, m.requestsPerSecond, m.p50Milliseconds, m.p99Milliseconds, m.failures,
                   m.cpuMillisecondsPerRequest)
        }
        let perCommit = commits.commits > 0 ? Double(commits.pieces) / Double(commits.commits) : 0
        return """
        AMQP benchmark against \(broker), \(window) request(s) in flight; service: \(listeners) listener(s) x \(inFlight) in flight
        store writer connection: synchronous=\(synchronous.map { "\($0)" } ?? "unknown") (read back with PRAGMA synchronous)
        \(line("tenant API (store commit)", service))
        \(line("raw rabbitmq-c echo      ", rawEcho))
        store writes: \(commits.pieces) in \(commits.commits) commit(s), \(String(format: "%.1f", perCommit)) per commit, largest batch \(commits.largestBatch); \
        committer busy \(String(format: "%.2f s writing + %.2f s committing", commits.workSeconds, commits.commitSeconds))
        ratio per round (\(roundRatios.count) alternating rounds): \(roundRatios.map { String(format: "%.3f", $0) }.joined(separator: " "))
        ratio tenant API / raw echo: \(String(format: "%.3f", ratio))
        """
    }
}
