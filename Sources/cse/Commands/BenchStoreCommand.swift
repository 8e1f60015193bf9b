import ArgumentParser
import Dispatch
import Foundation
import Spec
import Store

/// The store's own costs on each engine: tenant-style creates (one transaction each: the object, its tenant task and
/// the request log entry), from one writer and from several at once, a pass's batch of status writes, and a pass's
/// reads. SQLite in a temporary file; PostgreSQL in a schema of its own, dropped afterwards.
struct BenchStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Store throughput on SQLite and, with --url, PostgreSQL: creates/s (1 and N writers), status batch, reads."
    )

    @Option(help: "A PostgreSQL database to measure too (postgres://USER@HOST:PORT/DB; a schema is made and dropped).")
    var url: String?

    @Option(help: "Objects created per measurement.")
    var objects = 500

    @Option(help: "Concurrent writers (threads, as concurrent tenant requests are).")
    var writers = 8

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bench-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try measure("sqlite", try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path))
        if let url {
            var parsed = try PostgresURL(parsing: url)
            let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
            parsed.schema = String(schema)
            let store = try DesiredStateStore(postgres: parsed, path: directory.appendingPathComponent("local").path)
            defer { try? store.dropSchemaOfBenchmark() }
            try measure("postgres", store)
        }
    }

    private func measure(_ engine: String, _ store: DesiredStateStore) throws {
        let single = try timed { try (0..<objects).forEach { try create(store, "s\($0)") } }
        let counter = Counter()
        let concurrent = try timed {
            let group = DispatchGroup()
            for writer in 0..<writers {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    while let index = counter.next(below: objects) {
                        do { try create(store, "w\(writer)-\(index)") } catch { counter.fail("\(error)") }
                    }
                }
            }
            group.wait()
        }
        if let failure = counter.failure { throw CLIError("\(engine): a concurrent create failed: \(failure)") }
        let uids = try store.objects().map(\.uid)
        let statuses = uids.map { (uid: $0, status: ObjectStatus(phase: .ready, observedGeneration: 1)) }
        let batch = try timed { try store.writeStatuses(statuses) }
        let reads = try timed {
            _ = try store.objects()
            _ = try store.statuses()
        }
        print(String(format: "%@: creates %.0f/s (1 writer), %.0f/s (%d writers); status batch of %d %.1f ms; read %d objects + statuses %.1f ms",
                     engine, Double(objects) / single, Double(objects) / concurrent, writers, uids.count, batch * 1000, uids.count, reads * 1000))
    }

    private func create(_ store: DesiredStateStore, _ name: String) throws {
        try store.transaction { tx in
            let spec = ClusterSpec(name: name, org: "org1", vdc: "vdc1", template: "t", network: "net", nodes: NodePool(count: 2))
            let (object, _) = try tx.put(.cluster(spec), owner: .tenant(org: "org1", user: "bench"), expectedGeneration: 0)
            let task = try tx.createTenantTask(objectUID: object.uid, operation: .create, targetGeneration: object.generation, org: "org1", user: "bench")
            try tx.logRequest("req-\(name)", tenantTaskID: task.id, status: 202, reply: "{}")
        }
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start).milliseconds / 1000
    }
}

/// Hands out indexes to writer threads and keeps the first failure.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var issued = 0
    private(set) var failure: String?

    func next(below limit: Int) -> Int? {
        lock.withLock {
            guard issued < limit, failure == nil else { return nil }
            defer { issued += 1 }
            return issued
        }
    }

    func fail(_ message: String) {
        lock.withLock { if failure == nil { failure = message } }
    }
}
