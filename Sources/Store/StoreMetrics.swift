import Foundation
import Metrics

/// What the store reports through swift-metrics (the `cse` executable picks the backend; without one nothing is
/// kept): how long each write transaction takes until its commit returned (durable), waiting for the writer
/// (SQLite's one writer, PostgreSQL's serialization retries) included. Engine-agnostic: timed around `StoreEngine.write`.
enum StoreMetrics {
    static let commitDuration = "cse_store_commit_duration_seconds"

    static func committed(after duration: Duration) {
        Timer(label: commitDuration).record(duration: duration)
    }
}
