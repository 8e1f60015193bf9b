import Foundation
import Metrics

/// What the tenant path reports through swift-metrics (the `cse` executable picks the backend): each extension
/// request answered, by method and the status of its answer, and how long it took from delivery to reply.
enum ExtensionServiceMetrics {
    static let requests = "cse_tenant_requests_total"
    static let duration = "cse_tenant_request_duration_seconds"

    /// `method` nil for a message that could not be read as a request.
    static func answered(method: String?, status: Int, duration: Duration) {
        let method = method.map { ["GET", "POST", "PUT", "DELETE"].contains($0) ? $0 : "other" } ?? "unreadable"
        Counter(label: requests, dimensions: [("method", method), ("status", String(status))]).increment()
        Timer(label: Self.duration, dimensions: [("method", method)]).record(duration: duration)
    }
}
