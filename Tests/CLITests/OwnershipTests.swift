import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Two installations (two stores) against one simulator: each sees the other's objects as foreign and never
/// changes them; an empty store deletes nothing; `cse adopt` takes a cluster back after its store was lost.
@Suite("Ownership of what cse creates")
struct OwnershipTests {
    static func template(_ name: String) -> String {
        """
        apiVersion: cse/v1
        kind: Template
        metadata: {name: \(name)}
        spec:
          os: {name: ubuntu, version: "24.04"}
          source:
            catalogItem: ubuntu-24.04-server-cloudimg-amd64.ova
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse}
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """
    }

    static func cluster(_ name: String, template: String, nodes: Int = 1) -> String {
        """
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: \(name), org: org1}
        spec: {vdc: org1-vdc, template: \(template), network: intranet, nodes: {count: \(nodes)}}
        """
    }

    /// One simulator, a `cse sim` process of its own (its work would crowd this test process's few threads); each
    /// installation is a config.yaml pointing at it with its own store.
    struct Cloud {
        let process: SpawnedCommand
        let baseURL: String

        func stop() async {
            kill(process.processIdentifier, SIGTERM)
            await CLIRunner.waitOffPool(process)
        }
    }

    static func startCloud(_ cli: CLIRunner) async throws -> Cloud {
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: "sim-settings.yaml")
        let process = try cli.start(["sim", "--listen", "127.0.0.1:0", "--settings", cli.path("sim-settings.yaml")], log: "sim.log")
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: cli.path("sim.log"), encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                return Cloud(process: process, baseURL: String(text[range]))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "cse sim did not start"])
    }

    static func installation(_ name: String, cli: CLIRunner, server: Cloud) throws -> String {
        try cli.write("""
            vcd:
              host: \(server.baseURL)
              username: administrator
              password: {env: CSE_TEST_VCD_PASSWORD}
              verify: false
            store:
              path: store.sqlite
            """, to: "\(name)/config.yaml")
        return cli.path("\(name)/config.yaml")
    }

    static let environment = ["CSE_TEST_VCD_PASSWORD": "sim-admin", "CSE_TEMPLATE_ROOT_PASSWORD": "not-a-secret"]

    static func installationID(_ plan: String) -> String? {
        plan.range(of: #"foreign: installation [0-9a-f-]{36}"#, options: .regularExpression).map { String(plan[$0].suffix(36)) }
    }

    @Test func twoInstallationsSeeEachOthersClustersAsForeignAndAdoptRecoversALostStore() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let server = try await Self.startCloud(cli)
        let simulator = server
        defer { Task { await server.stop() } }
        let a = try Self.installation("a", cli: cli, server: server)
        let b = try Self.installation("b", cli: cli, server: server)
        let env = Self.environment
        try cli.write(Self.template("tpl-a") + "\n---\n" + Self.cluster("alpha", template: "tpl-a"), to: "specs-a/all.yaml")
        try cli.write(Self.template("tpl-b") + "\n---\n" + Self.cluster("beta", template: "tpl-b"), to: "specs-b/all.yaml")
        try cli.write(Self.template("tpl-b"), to: "specs-b-no-clusters/all.yaml")
        try cli.write(Self.template("tpl-c"), to: "specs-c/all.yaml")

        let applyA = try await cli.detached(["apply", "specs-a", "--config", a, "--timeout", "120"], environment: env)
        #expect(applyA.status == 0, "\(applyA.stdout)\n\(applyA.stderr)")
        let applyB = try await cli.detached(["apply", "specs-b", "--config", b, "--timeout", "120"], environment: env)
        #expect(applyB.status == 0, "\(applyB.stdout)\n\(applyB.stderr)")
        #expect(!applyB.stdout.contains("alpha"), "B acted on A's cluster: \(applyB.stdout)")
        let before = await Self.vms(simulator)
        #expect(before["alpha"]?.count == 2 && before["beta"]?.count == 2, "\(before)")

        // Each plan lists the other's cluster vApp and template item as foreign, and plans nothing for them.
        let planA = try await cli.detached(["plan", "--config", a], environment: env)
        let planB = try await cli.detached(["plan", "--config", b], environment: env)
        #expect(planA.status == 0 && planB.status == 0, "\(planA.stderr)\(planB.stderr)")
        #expect(planA.stdout.contains("cluster vApp org1/org1-vdc/beta  (foreign: installation "), "\(planA.stdout)")
        #expect(planB.stdout.contains("cluster vApp org1/org1-vdc/alpha  (foreign: installation "), "\(planB.stdout)")
        #expect(planA.stdout.contains("No changes.") && planB.stdout.contains("No changes."), "\(planA.stdout)\n\(planB.stdout)")
        let idA = try #require(Self.installationID(planB.stdout))
        // get and describe show what the last plan or pass saw that is not ours.
        let getA = try await cli.detached(["get", "clusters", "--config", a], environment: env)
        #expect(getA.stdout.contains("Not owned by this installation") && getA.stdout.contains("beta"), "\(getA.stdout)")
        #expect(getA.stdout.contains("foreign (installation "), "\(getA.stdout)")
        let describeBeta = try await cli.detached(["describe", "cluster", "beta", "--config", a], environment: env)
        #expect(describeBeta.status == 0 && describeBeta.stdout.contains("Claim:               foreign (installation "), "\(describeBeta.stdout)")

        // B prunes its own cluster (allowed: one of one is below no guard threshold) and leaves A's alone.
        let pruneB = try await cli.detached(["apply", "specs-b-no-clusters", "--prune", "--config", b, "--timeout", "120"], environment: env)
        #expect(pruneB.status == 0, "\(pruneB.stdout)\n\(pruneB.stderr)")
        let afterPrune = await Self.vms(simulator)
        #expect(afterPrune["beta"] == nil, "B's own pruned cluster is gone")
        #expect(afterPrune["alpha"] == before["alpha"], "A's cluster untouched")

        // An installation with an empty store (a wiped .cse/, a --store typo) deletes nothing.
        let stray = try await cli.detached(["apply", cli.path("specs-c"), "--prune", "--store", cli.path("stray/store.sqlite"),
                                 "--config", b, "--timeout", "120"], environment: env)
        #expect(stray.status == 0, "\(stray.stdout)\n\(stray.stderr)")
        #expect(await Self.vms(simulator)["alpha"] == before["alpha"])

        // A loses its store: alpha is now foreign to the new A, which changes nothing; adopt takes it back.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cli.path("a/store.sqlite\(suffix)")) }
        let lost = try await cli.detached(["plan", "--config", a], environment: env)
        #expect(lost.status == 1 && lost.stderr.contains("no store at \(cli.path("a/store.sqlite"))"), "\(lost.stderr)")
        let look = try await cli.detached(["adopt", "--config", a], environment: env)
        #expect(look.stderr.contains("Created a new store at"), "\(look.stderr)")
        #expect(look.stdout.contains("org1/alpha  (foreign: installation \(idA))"), "\(look.stdout)")
        #expect(!look.stdout.contains("org1/beta"), "beta was deleted by its own installation")
        let adopt = try await cli.detached(["adopt", "--installation", idA, "--config", a], environment: env)
        #expect(adopt.status == 0, "\(adopt.stdout)\n\(adopt.stderr)")
        #expect(adopt.stdout.contains("adopted cluster/org1/alpha (vdc org1-vdc, template tpl-a, 1 node)"), "\(adopt.stdout)")
        let reapply = try await cli.detached(["apply", "specs-a", "--config", a, "--timeout", "120"], environment: env)
        #expect(reapply.status == 0, "\(reapply.stdout)\n\(reapply.stderr)")
        #expect(!reapply.stdout.contains("\n+ ") && !reapply.stdout.contains("\n- "), "nothing created or destroyed: \(reapply.stdout)")
        #expect(await Self.vms(simulator)["alpha"] == before["alpha"], "no VM of alpha recreated")
        let settled = try await cli.detached(["plan", "--config", a], environment: env)
        #expect(settled.stdout.contains("No changes.") && !settled.stdout.contains("alpha"), "\(settled.stdout)")
    }

    @Test func theDeletionGuardHoldsAMassPruneUntilAllowed() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let server = try await Self.startCloud(cli)
        let simulator = server
        defer { Task { await server.stop() } }
        let a = try Self.installation("a", cli: cli, server: server)
        let env = Self.environment
        try cli.write([Self.template("tpl"), Self.cluster("c1", template: "tpl", nodes: 0), Self.cluster("c2", template: "tpl", nodes: 0),
                       Self.cluster("c3", template: "tpl", nodes: 0)].joined(separator: "\n---\n"), to: "specs/all.yaml")
        try cli.write(Self.template("tpl"), to: "none/all.yaml")
        #expect(try await cli.detached(["apply", "specs", "--config", a, "--timeout", "120"], environment: env).status == 0)

        let dry = try await cli.detached(["apply", "none", "--prune", "--dry-run", "--config", a], environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Held back by the deletion guard"), "\(dry.stdout)")
        let held = try await cli.detached(["apply", "none", "--prune", "--config", a, "--timeout", "60"], environment: env)
        #expect(held.status == 1, "\(held.stdout)\n\(held.stderr)")
        #expect(held.stderr.contains("deletion guard: 3 clusters would be deleted at once"), "\(held.stderr)")
        let list = try await cli.detached(["get", "clusters", "--config", a], environment: env)
        #expect(!list.stdout.contains("Deleting"), "the refused prune wrote nothing: \(list.stdout)")
        #expect(await Self.vms(simulator).keys.sorted() == ["c1", "c2", "c3"])
        let allowed = try await cli.detached(["apply", "none", "--prune", "--allow-mass-delete", "--config", a, "--timeout", "120"], environment: env)
        #expect(allowed.status == 0, "\(allowed.stdout)\n\(allowed.stderr)")
        #expect(await Self.vms(simulator).isEmpty)
    }

    @Test func dryRunWithPrunePrintsTheDeletionsAndChangesNothing() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let server = try await Self.startCloud(cli)
        let simulator = server
        defer { Task { await server.stop() } }
        let a = try Self.installation("a", cli: cli, server: server)
        let env = Self.environment
        try cli.write([Self.template("tpl"), Self.cluster("keep", template: "tpl", nodes: 0), Self.cluster("gone", template: "tpl", nodes: 0)]
            .joined(separator: "\n---\n"), to: "specs/all.yaml")
        try cli.write([Self.template("tpl"), Self.cluster("keep", template: "tpl", nodes: 0)].joined(separator: "\n---\n"), to: "fewer/all.yaml")
        #expect(try await cli.detached(["apply", "specs", "--config", a, "--timeout", "120"], environment: env).status == 0)
        let vmsBefore = await Self.vms(simulator)

        for command in [["apply", "fewer", "--prune", "--dry-run"], ["plan", "fewer", "--prune"]] {
            let result = try await cli.detached(command + ["--config", a], environment: env)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stdout.contains("cluster/org1/gone:\n  - vApp gone  (cluster spec deleted)"), "\(command): \(result.stdout)")
            #expect(result.stdout.contains("0 to add, 0 to change, 1 to destroy"), "\(command): \(result.stdout)")
        }
        let plain = try await cli.detached(["plan", "fewer", "--config", a], environment: env)
        #expect(plain.stdout.contains("No changes."), "without --prune nothing is deleted: \(plain.stdout)")
        #expect(await Self.vms(simulator) == vmsBefore)
        let list = try await cli.detached(["get", "clusters", "--config", a], environment: env)
        #expect(!list.stdout.contains("Deleting"), "the store was not written: \(list.stdout)")
    }

    /// VM names and addresses of each vApp the simulator holds (its audit, `GET /sim/inventory`).
    static func vms(_ cloud: Cloud) async -> [String: [String]] {
        guard let url = URL(string: cloud.baseURL + "/sim/inventory"), let (data, _) = try? await URLSession.shared.data(from: url) else { return [:] }
        let audit = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        var result: [String: [String]] = [:]
        for vApp in audit["vApps"] as? [[String: Any]] ?? [] {
            guard let name = vApp["name"] as? String, !name.hasPrefix("csetmp") else { continue }
            result[name] = (vApp["vms"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")@\($0["ip"] ?? "")" }.sorted()
        }
        return result
    }
}
