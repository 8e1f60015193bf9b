import Foundation
import Testing
@testable import Spec
@testable import Store

@Suite struct ApplyCommandTests {
    @Test func applyingTheRepositorySpecsTwiceCreatesThenReportsUnchanged() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let specs = CLIRunner.repository.appendingPathComponent("specs").path
        let first = try cli.run(["apply", specs, "--no-wait"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("template/ubuntu-24.04  created"))
        #expect(first.stdout.contains("cluster/org1/demo      created"))
        #expect(first.stdout.hasSuffix("Desired state: 2 created, 0 updated, 0 restored, 0 unchanged, 0 pruned.\n"))
        let second = try cli.run(["apply", specs, "--no-wait"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("cluster/org1/demo      unchanged  generation 1"))
        #expect(second.stdout.contains("2 unchanged"))
        #expect(FileManager.default.fileExists(atPath: cli.path(".cse/store.sqlite")), "default store place")
    }

    @Test func malformedSpecsPrintEveryErrorAndLeaveTheStoreUnchanged() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let specs = CLIRunner.repository.appendingPathComponent("specs").path
        #expect(try cli.run(["apply", specs, "--store", "s.sqlite", "--no-wait"]).status == 0)
        let before = try DesiredStateStore(path: cli.path("s.sqlite")).objects()

        try cli.write("apiVersion: cse/v1\nkind: Cluster\nmetadata: {name: demo, org: org1}\nspec: {vdc: v, template: ubuntu-24.04, nodes: {count: 9}}\n", to: "bad/ok-but-blocked.yaml")
        try cli.write("apiVersion: cse/v1\nkind: Cluster\nmetadata:\n  name: c2\n  org: org1\nspec:\n  vdc: v\n  tempalte: ubuntu-24.04\n", to: "bad/typo.yaml")
        try cli.write("apiVersion: cse/v1\nkind: Cluster\nmetadata: {name: c3, org: org1}\nspec: {vdc: v, template: no-such-template}\n", to: "bad/nested/ref.yml")
        try cli.write("kind: [unclosed\n", to: "bad/syntax.yaml")
        let result = try cli.run(["apply", cli.path("bad"), "--store", "s.sqlite", "--no-wait"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let bad = cli.path("bad")
        #expect(lines == [
            "\(bad)/nested/ref.yml:1:1: cluster 'c3' names template 'no-such-template', which does not exist (templates: ubuntu-24.04)",
            "\(bad)/syntax.yaml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)",
            "\(bad)/typo.yaml:7:3: missing required key 'spec.template'",
            "\(bad)/typo.yaml:8:3: unknown key 'spec.tempalte'; did you mean 'template'?",
            "4 problems found; nothing was written.",
        ])
        let after = try DesiredStateStore(path: cli.path("s.sqlite")).objects()
        #expect(after == before, "the valid file in the same directory was not written either")
    }

    @Test func pruneMarksRemovedSpecsForDeletion() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a") + "\n---\n" + SpecFixtures.cluster("b"), to: "specs/all.yaml")
        #expect(try cli.run(["apply", "specs", "--no-wait"]).status == 0)
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a"), to: "specs/all.yaml")
        let kept = try cli.run(["apply", "specs", "--no-wait"])
        #expect(kept.stdout.contains("cluster/org1/b         not in specs  kept (use --prune to delete)"))
        let pruned = try cli.run(["apply", "specs", "--prune", "--no-wait"])
        #expect(pruned.stdout.contains("cluster/org1/b         pruned     generation 2"), "\(pruned.stdout)")
        #expect(pruned.stdout.contains("1 pruned"))
        let list = try cli.run(["get", "clusters"])
        #expect(list.stdout.contains("Deleting"))
    }

    @Test func getAndDescribeShowStoredState() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        #expect(try cli.run(["apply", CLIRunner.repository.appendingPathComponent("specs").path, "--no-wait"]).status == 0)
        let store = try DesiredStateStore(path: cli.path(".cse/store.sqlite"))
        let demo = try #require(try store.objects(kind: .cluster).first)
        try store.updateStatus(of: demo.uid) {
            $0.phase = .failed
            $0.lastError = "vCD said no"
            $0.setCondition("MasterReady", status: .false, reason: "GuestFailed", message: "kubeadm init failed", at: Date())
        }
        try store.recordEvent(for: demo, type: .warning, reason: "BootstrapFailed", message: "phase kubeinit failed")

        let table = try cli.run(["get", "clusters"])
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("ORG   NAME  VDC       TEMPLATE      NODES  PHASE") == true)
        #expect(table.stdout.contains("org1  demo  org1-vdc  ubuntu-24.04  2      Failed"))

        let json = try cli.run(["get", "clusters", "-o", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let first = try #require(parsed?.first)
        #expect(first["kind"] as? String == "Cluster")
        #expect((first["spec"] as? [String: Any])?["vdc"] as? String == "org1-vdc")
        #expect((first["status"] as? [String: Any])?["phase"] as? String == "Failed")

        let yaml = try cli.run(["get", "templates", "-o", "yaml"])
        #expect(yaml.stdout.contains("kind: Template") && yaml.stdout.contains("env: CSE_TEMPLATE_ROOT_PASSWORD"))

        let described = try cli.run(["describe", "cluster", "demo"])
        #expect(described.status == 0)
        for expected in ["Name:                demo", "Phase:               Failed", "Last error:          vCD said no",
                         "MasterReady  False   GuestFailed", "Warning  BootstrapFailed  phase kubeinit failed", "vdc: org1-vdc"] {
            #expect(described.stdout.contains(expected), "missing \(expected)")
        }
        let missing = try cli.run(["describe", "cluster", "nope"])
        #expect(missing.status != 0 && missing.stderr.contains("cluster 'nope' not found"))
    }

    @Test func writeIsDurableWhenTheProcessIsKilledRightAfterItReturns() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("cse-kill-\(UUID().uuidString)/store.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (store as NSString).deletingLastPathComponent) }
        // Several rounds, killing after a different commit each time.
        for killAfter in [1, 4, 9] {
            let process = Process()
            process.executableURL = CLIRunner.binary
            process.arguments = ["debug", "store-write-probe", "--store", store, "--count", "10"]
            let out = Pipe(), input = Pipe()
            process.standardOutput = out
            process.standardInput = input
            try process.run()
            var seen = 0
            var buffer = Data()
            while seen < killAfter {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                seen = String(decoding: buffer, as: UTF8.self).split(separator: "\n").count
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let names = Set(try DesiredStateStore(path: store).objects().map(\.key.name))
            for index in 1...seen {
                #expect(names.contains("probe-\(index)"), "commit \(index) was reported and must survive SIGKILL")
            }
        }
    }
}

/// Spec texts for CLI tests.
enum SpecFixtures {
    static let template = """
        apiVersion: cse/v1
        kind: Template
        metadata: {name: ubuntu-24.04}
        spec:
          os: {name: ubuntu, version: "24.04"}
          source: {url: "https://example.com/u.ova", sha1: 1bddf68820c717e13c6d1acd800fb7b4d197b411}
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse}
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """

    static func cluster(_ name: String) -> String {
        """
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: \(name), org: org1}
        spec: {vdc: org1-vdc, template: ubuntu-24.04, nodes: {count: 1}}
        """
    }
}
