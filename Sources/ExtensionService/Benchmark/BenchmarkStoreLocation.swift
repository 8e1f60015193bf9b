import Foundation
import Spec
import Store

/// Where a benchmark's replicas keep desired state: a SQLite file, or a PostgreSQL schema (`postgres://...`), so that
/// the same measurement runs on the store replicas share in production.
public enum BenchmarkStoreLocation {
    /// Opens `location`: a `postgres://` URL (its schema made when missing), else a SQLite path.
    /// `scratch` is the local folder for per-machine files beside a PostgreSQL store.
    public static func open(_ location: String, scratch: String) throws -> DesiredStateStore {
        guard location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") else {
            return try DesiredStateStore(path: location)
        }
        return try DesiredStateStore(postgres: try PostgresURL(parsing: location), path: (scratch as NSString).appendingPathComponent("store"))
    }

    /// A fresh place for one measurement: a schema of its own under `base` (a PostgreSQL URL without a schema), else a
    /// new SQLite file in `directory`.
    public static func fresh(base: String?, directory: String, name: String) -> String {
        guard let base else { return (directory as NSString).appendingPathComponent("\(name).sqlite") }
        let schema = "bench_" + name.lowercased().filter { $0.isLetter || $0.isNumber }
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}
