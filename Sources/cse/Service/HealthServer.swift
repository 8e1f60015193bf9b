import Foundation
import Hummingbird
import Logging
import Prometheus
import Spec

/// `cse run`'s HTTP port (`service.http.listen`): `/metrics` (Prometheus text format), `/healthz` (200 while the
/// process runs) and `/readyz` (200 when ready, else 503 with a JSON body naming what is not).
struct HealthServer {
    private let task: Task<Void, any Error>

    /// Starts serving; returns once the port is bound, or throws when it cannot be.
    static func start(listen: HTTPListen, registry: PrometheusCollectorRegistry, readiness: Readiness, logger: Logger) async throws -> HealthServer {
        let router = Router()
        router.get("/healthz") { _, _ in
            Self.json(.ok, ["status": "alive"])
        }
        router.get("/readyz") { _, _ in
            let (ready, components) = await readiness.report()
            return Self.json(ready ? .ok : .serviceUnavailable, ["ready": ready, "components": components])
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let (bound, boundContinuation) = AsyncStream<Void>.makeStream()
        var quiet = logger
        // The server library logs expected shutdown noise (cancelled child channels) as errors.
        quiet.logLevel = max(logger.logLevel, .critical)
        let app = Application(router: router, configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "cse"),
                              onServerRunning: { _ in
                                  boundContinuation.yield()
                                  boundContinuation.finish()
                              }, logger: quiet)
        // The stream ends when the server stops, so a failed bind (port taken) is an error, not a wait for ever.
        let task = Task {
            defer { boundContinuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = bound.makeAsyncIterator()
        guard await iterator.next() != nil else {
            task.cancel()
            let reason = await task.result.failureDescription
            throw HealthServerError(description: "service.http.listen: cannot listen on \(listen)\(reason.map { ": \($0)" } ?? "")")
        }
        logger.info("serving /metrics, /healthz and /readyz on http://\(listen)")
        return HealthServer(task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    private static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct HealthServerError: Error, CustomStringConvertible {
    var description: String
}

extension Result {
    fileprivate var failureDescription: String? {
        if case .failure(let error) = self { return "\(error)" }
        return nil
    }
}
