import AMQPTransport
import Foundation

/// The requesting side of the benchmark, standing in for vCD: publishes requests (persistent, with
/// `reply_to`, `replyToExchange` and a correlation id), keeps `window` of them in flight, and times each
/// until its reply arrives.
struct BenchmarkClient {
    let connection: AMQPConnection
    let replyExchange: String
    let replyQueue: String

    static func open(url: AMQPURL, replyExchange: String, replyQueue: String) async throws -> BenchmarkClient {
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.declareExchange(replyExchange)
        try await connection.declareQueue(replyQueue, durable: false)
        try await connection.bindQueue(replyQueue, exchange: replyExchange, routingKey: replyQueue)
        try await connection.setPrefetch(0)
        try await connection.consume(queue: replyQueue)
        return BenchmarkClient(connection: connection, replyExchange: replyExchange, replyQueue: replyQueue)
    }

    /// Sends `count` requests built by `body(index, correlationID)`; `accept` judges each reply body.
    func measure(count: Int, window: Int, exchange: String, routingKey: String,
                 body: (Int, String) -> Data, accept: (Data) -> Bool) async throws -> ThroughputMeasurement {
        // Built before the clock starts: making vCD's messages is not the work measured (and on a small machine it
        // would take CPU from the side that is measured).
        let messages = (0..<count).map { index in
            let correlationID = UUID().uuidString
            return (correlationID: correlationID, body: body(index, correlationID))
        }
        let clock = ContinuousClock()
        var sentAt: [String: ContinuousClock.Instant] = [:]
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        var replies: [Data] = []
        replies.reserveCapacity(count)
        var next = 0
        let start = clock.now
        let cpuAtStart = ProcessCPU.seconds()
        while latencies.count < count {
            while sentAt.count < window, next < count {
                let (correlationID, message) = messages[next]
                let properties = AMQPProperties(contentType: "application/json", correlationID: correlationID, replyTo: replyQueue,
                                                persistent: true, headers: ["replyToExchange": replyExchange, "messageType": "ProcessHttpRequest"])
                sentAt[correlationID] = clock.now
                try await connection.publish(exchange: exchange, routingKey: routingKey, body: message, properties: properties)
                next += 1
            }
            guard let reply = try await connection.receive(timeout: .seconds(15)) else {
                throw BenchmarkError.noReply(outstanding: sentAt.count)
            }
            try await connection.ack(reply)
            guard let id = reply.properties.correlationID, let sent = sentAt.removeValue(forKey: id) else { continue }
            latencies.append((clock.now - sent).seconds)
            replies.append(reply.body)
        }
        let seconds = (clock.now - start).seconds
        let cpuSeconds = ProcessCPU.seconds() - cpuAtStart
        // Judged after the clock stopped: reading vCD's side of the answers is not the work measured.
        let failures = replies.filter { !accept($0) }.count
        return ThroughputMeasurement(requests: count, seconds: seconds, failures: failures, latencies: latencies, cpuSeconds: cpuSeconds)
    }
}

public enum BenchmarkError: Error, CustomStringConvertible {
    case noReply(outstanding: Int)

    public var description: String {
        switch self {
        case .noReply(let outstanding): return "no reply within 15 s (\(outstanding) request(s) outstanding)"
        }
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// CPU time (user + system) used by this process so far.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
