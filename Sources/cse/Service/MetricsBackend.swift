import Metrics
import Prometheus

/// The metrics backend of `cse run` when it serves `/metrics`: swift-metrics to a Prometheus registry. Libraries
/// only emit through swift-metrics; this is the one place that chooses where it goes (once per process).
enum MetricsBackend {
    static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A pass observes all of vCD and may take minutes at scale; a commit is an fsync or a round trip, milliseconds
        // (seconds only when it waits for the writer).
        factory.durationHistogramBuckets["cse_reconcile_pass_duration_seconds"] =
            [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300].map { Duration.milliseconds(Int($0 * 1000)) }
        factory.durationHistogramBuckets["cse_store_commit_duration_seconds"] =
            [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10].map { Duration.microseconds(Int($0 * 1_000_000)) }
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
