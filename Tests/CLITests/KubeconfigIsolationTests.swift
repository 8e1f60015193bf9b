import Foundation
import Testing
import VCDSim

/// Names repeat across orgs: `cse kubeconfig demo --org X` is org X's master's, never another org's.
@Suite struct KubeconfigIsolationTests {
    @Test func eachOrgsKubeconfigIsItsOwnMasters() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.03\nboot_seconds: 0.03\nphase_seconds: 0.01\n", to: ".cse/sim/settings.yaml")
        #expect(try await cli.runOffPool(["sample-specs", cli.path("specs")]).status == 0)
        try cli.write("""
            apiVersion: cse/v1
            kind: Cluster
            metadata: {name: demo, org: org2}
            spec: {vdc: org2-vdc, template: ubuntu-24.04, network: org2-net, nodes: {count: 0}}
            """, to: "specs/clusters/demo-org2.yaml")
        let apply = try await cli.runOffPool(["apply", "specs", "--timeout", "240"], environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "test-root-pw"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let one = try await cli.runOffPool(["kubeconfig", "demo", "--org", "org1"])
        let two = try await cli.runOffPool(["kubeconfig", "demo", "--org", "org2"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        // The simulator's masters publish a certificate made from their own VM id: equal certificates mean one master.
        func field(_ name: String, _ text: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + ":") }
                .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) }
        }
        #expect(field("server", one.stdout) == "https://10.20.0.10:6443", "org1's master is on org1's intranet: \(one.stdout)")
        #expect(field("server", two.stdout) == "https://10.30.0.10:6443", "org2's master is on org2's network: \(two.stdout)")
        let certificates = [field("client-certificate-data", one.stdout), field("client-certificate-data", two.stdout)]
        #expect(certificates[0] != nil && certificates[1] != nil)
        #expect(certificates[0] != certificates[1], "org2 got org1's master's credentials")
        let both = try await cli.runOffPool(["kubeconfig", "demo"])
        #expect(both.status != 0 && both.stderr.contains("pass --org"))

        // What the masters published is sealed: the simulator's audit of the cloud cse left finds no secret in clear
        // (extra config, metadata), and the saved cloud holds no kubeconfig credentials in any form.
        var options = SimOptions()
        options.stateFile = cli.path(".cse/sim/state.json")
        let simulator = try Simulator(options: options)
        let audit = try JSONSerialization.jsonObject(with: await simulator.auditJSON(knownSecrets: ["test-root-pw"])) as? [String: Any]
        #expect((audit?["secretsInClear"] as? [String]) == [], "\(audit?["secretsInClear"] ?? "no audit")")
        let saved = try String(contentsOfFile: cli.path(".cse/sim/state.json"), encoding: .utf8)
        #expect(saved.contains("cse-sealed:1:"))
        #expect(!saved.contains("client-key-data"))
        // The root password never reached vCD, not even in the simulator's task history: not in clear, not base64-encoded
        // (the build VM got its hash only).
        #expect(!saved.contains("test-root-pw") && !saved.contains(Data("test-root-pw".utf8).base64EncodedString()))
        // Each read is an event of the cluster: who and when.
        let described = try await cli.runOffPool(["describe", "cluster", "demo", "--org", "org1"])
        #expect(described.stdout.contains("KubeconfigRead") && described.stdout.contains("cse kubeconfig"), "\(described.stdout)")
        #expect(!described.stdout.contains("client-key-data") && !described.stdout.contains("cse-sealed"))
    }
}
