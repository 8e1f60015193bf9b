import Foundation
import GRDB
import Spec
@testable import Store
import Testing

/// The engines every store test runs against: SQLite always, PostgreSQL when `CSE_TEST_POSTGRES_URL` names a server
/// (`scripts/test` starts one; `scripts/postgres start DIR`).
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [TestEngine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CSE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var testDescription: String { rawValue }
}

/// A store under test: a fresh SQLite file in its own folder, or a fresh PostgreSQL schema in the test database.
final class TestStore: Sendable {
    let engine: TestEngine
    let directory: URL
    let postgres: PostgresURL?
    let store: DesiredStateStore

    init(_ engine: TestEngine) throws {
        self.engine = engine
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite:
            postgres = nil
        case .postgres:
            var url = try PostgresURL(parsing: try #require(TestEngine.postgresURL))
            url.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            postgres = url
        }
        store = try Self.open(postgres: postgres, directory: directory)
    }

    private static func open(postgres: PostgresURL?, directory: URL) throws -> DesiredStateStore {
        let path = directory.appendingPathComponent("store.sqlite").path
        if let postgres { return try DesiredStateStore(postgres: postgres, path: path) }
        return try DesiredStateStore(path: path)
    }

    /// Another store on the same database: a second connection, as another process would have.
    func another() throws -> DesiredStateStore {
        try Self.open(postgres: postgres, directory: directory)
    }

    /// Runs SQL on the database directly (to shape it as another cse version would have).
    func execute(_ sql: String) throws {
        if let engine = store.engine as? PostgresEngine {
            try engine.execute(sql)
        } else if let engine = store.engine as? SQLiteEngine {
            try engine.pool.write { db in try db.execute(sql: sql) }
        }
    }

    func remove() {
        if let postgres, let engine = store.engine as? PostgresEngine {
            try? engine.execute("DROP SCHEMA \(PostgresSchema.quoted(postgres.schema ?? "")) CASCADE")
        }
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

enum StoreFixtures {
    static func store(_ engine: TestEngine) throws -> TestStore {
        try TestStore(engine)
    }

    static func cluster(_ name: String = "c1", org: String = "org1", nodes: Int = 2) -> DesiredObject {
        .cluster(ClusterSpec(name: name, org: org, vdc: "org1-vdc", template: "ubuntu-16.04", network: "intranet", nodes: NodePool(count: nodes)))
    }

    static func template(_ name: String = "ubuntu-16.04", network: String = "cse-net") -> DesiredObject {
        .template(TemplateSpec(
            name: name, labels: ["ubuntu", "16.04"], os: OperatingSystem(family: .ubuntu, version: "16.04"),
            source: OVASource(url: "https://example.com/u.ova", sha1: String(repeating: "a", count: 40), catalogItem: "u.ova"),
            build: BuildSite(org: "cse", vdc: "cse-vdc", network: network, ipAllocationMode: .pool, catalog: "cse",
                             tempVApp: "csetmp-u", cleanup: true, capture: true, storageProfile: nil),
            catalogItem: name, diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
            master: .defaultMaster, node: .defaultNode, adminSSHKey: nil, rootPassword: .environment("PW")))
    }

    static func specSet(_ objects: [DesiredObject]) -> SpecSet {
        SpecSet(objects: objects.map { LoadedObject(object: $0, location: SourceLocation(file: "t.yaml", line: 1, column: 1)) }, files: ["t.yaml"])
    }
}
