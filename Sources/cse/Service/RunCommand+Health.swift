import Foundation
import Logging
import Spec

extension RunCommand {
    /// With `service.http.listen`: metrics go to Prometheus and the port serves them with health and readiness.
    /// Started before the lease is awaited, so a waiting service is alive (and says it is not ready yet).
    func startHealthServer(_ config: ServiceConfig, logger: Logger) async throws -> (server: HealthServer, readiness: Readiness)? {
        guard let listen = config.service.httpListen else { return nil }
        let registry = MetricsBackend.bootstrapPrometheus()
        let readiness = Readiness()
        readiness.starting("waiting for the store's lease")
        let server = try await HealthServer.start(listen: listen, registry: registry, readiness: readiness, logger: logger)
        return (server, readiness)
    }

    /// The store answers a read; vCD answers `GET /api/session` with the service's session (logging in again when it
    /// expired). Store reads are blocking calls: they run on a thread of their own, not on Swift's few pool threads.
    static func readinessChecks(_ context: ReconcileContext) -> [ReadinessCheck] {
        let store = context.store
        let session = context.connection.session
        return [
            ReadinessCheck("store") {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    Thread { continuation.resume(with: Result { _ = try store.installationID() }) }.start()
                }
            },
            ReadinessCheck("vcd") {
                _ = try await session.send("GET", "/api/session")
            },
        ]
    }
}
