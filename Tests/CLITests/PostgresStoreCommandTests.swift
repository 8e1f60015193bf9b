import Foundation
import Spec
@testable import Store
import Testing

/// `store.url` in config.yaml: the commands read and write desired state in PostgreSQL (when the tests have one:
/// CSE_TEST_POSTGRES_URL, started by scripts/test), and two config files on one database see one store.
@Suite("Store on PostgreSQL")
struct PostgresStoreCommandTests {
    @Test func applyAndGetShareAPostgresStoreAcrossFolders() async throws {
        guard let base = ProcessInfo.processInfo.environment["CSE_TEST_POSTGRES_URL"], !base.isEmpty else { return }
        let schema = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let url = base + "?schema=" + schema
        let cli = try CLIRunner()
        defer {
            if let store = try? DesiredStateStore(postgres: PostgresURL(parsing: url), path: cli.path("x.sqlite")),
               let engine = store.engine as? PostgresEngine {
                try? engine.execute("DROP SCHEMA \(schema) CASCADE")
            }
            cli.cleanUp()
        }
        try cli.write("store:\n  path: state/store.sqlite\n  url: \(url)\n", to: "a/config.yaml")
        try cli.write("store:\n  url: \(url)\n", to: "b/config.yaml")
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("pg1"), to: "specs/all.yaml")
        // A read command does not make a store: it names the database (no password) and says who makes one.
        let early = try await cli.detached(["get", "clusters", "--config", cli.path("b/config.yaml")])
        #expect(early.status == 1 && early.stderr.contains("no store there") && early.stderr.contains(schema), "\(early.stderr)")
        let apply = try await cli.detached(["apply", cli.path("specs"), "--no-wait", "--config", cli.path("a/config.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("a/state/store.sqlite")), "no SQLite file is made")
        let list = try await cli.detached(["get", "clusters", "--config", cli.path("b/config.yaml")])
        #expect(list.status == 0 && list.stdout.contains("org1  pg1"), "\(list.stdout)\(list.stderr)")
        let again = try await cli.detached(["apply", cli.path("specs"), "--no-wait", "--config", cli.path("b/config.yaml")])
        #expect(again.status == 0 && again.stdout.contains("unchanged"), "\(again.stdout)\(again.stderr)")
    }

    @Test func anUnreachableDatabaseIsAClearErrorWithoutThePassword() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        // Port 1 on loopback: nothing listens there.
        try cli.write("store:\n  url: postgres://cse@127.0.0.1:1/cse\n  password: {env: CSE_TEST_STORE_PW}\n", to: "config.yaml")
        let result = try await cli.detached(["get", "clusters", "--config", cli.path("config.yaml")],
                                            environment: ["CSE_TEST_STORE_PW": "s3cret-store-pw"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("postgres://cse@127.0.0.1:1/cse") && result.stderr.contains("cannot connect"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret-store-pw"))
    }
}
