import Foundation
import TestSupport
import Testing
import VCDSim

/// kill -9 of `cse apply` at many points of a multi-cluster apply: the next run finds what was done and goes on,
/// and the cloud ends with exactly what the specs want: no duplicate or orphan VM, vApp, address or temp vApp.
@Suite("Crash safety of cse apply")
struct CrashTests {
    static let specs = """
        apiVersion: cse/v1
        kind: Template
        metadata: {name: ubuntu-24.04}
        spec:
          os: {name: ubuntu, version: "24.04"}
          source:
            catalogItem: ubuntu-24.04-server-cloudimg-amd64.ova
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse, tempVApp: csetmp-u}
          catalogItem: k8s-u
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        ---
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: k1, org: org1}
        spec: {vdc: org1-vdc, template: ubuntu-24.04, network: intranet, nodes: {count: 2}}
        ---
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: k2, org: org1}
        spec: {vdc: org1-vdc, template: ubuntu-24.04, network: intranet, nodes: {count: 1}}
        ---
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: k3, org: org2}
        spec: {vdc: org2-vdc, template: ubuntu-24.04, network: org2-net, nodes: {count: 1}}
        """

    @Test func killedAtTwentyFourSeededPointsOfApplyAndResizeThenConvergesWithNothingDuplicatedOrLeaked() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write(Self.specs, to: "specs/all.yaml")
        // The same clusters at other sizes: alternating the two keeps work in flight at every kill point.
        let resized = Self.specs.replacingOccurrences(of: "nodes: {count: 2}", with: "nodes: {count: 3}")
            .replacingOccurrences(of: "network: intranet, nodes: {count: 1}", with: "network: intranet, nodes: {count: 0}")
            .replacingOccurrences(of: "network: org2-net, nodes: {count: 1}", with: "network: org2-net, nodes: {count: 2}")
        try cli.write(resized, to: "resized/all.yaml")
        try cli.write("task_seconds: 0.3\nboot_seconds: 0.2\nphase_seconds: 0.05\n", to: ".cse/sim/settings.yaml")
        var random = SeededRandom(seed: 2026)
        var kills = 0
        for point in 0..<24 {
            let delay = 150 + Int(random.next() % 1_500)
            let specs = (point / 4) % 2 == 0 ? "specs/" : "resized/"
            let process = try cli.start(["apply", specs, "--prune", "--timeout", "60"])
            try await Task.sleep(for: .milliseconds(delay))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        #expect(kills >= 20, "the apply finished before most kill points; make the schedule denser")
        let final = try cli.run(["apply", "specs/", "--prune", "--timeout", "120"])
        #expect(final.status == 0, "\(final.stdout)\n\(final.stderr)")
        #expect(final.stdout.contains("Converged"))

        var options = SimOptions()
        options.stateFile = cli.path(".cse/sim/state.json")
        let data = await (try Simulator(options: options)).auditJSON()
        let audit = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let vApps = audit["vApps"] as? [[String: Any]] ?? []
        #expect(vApps.compactMap { $0["name"] as? String }.sorted() == ["k1", "k2", "k3"])
        var vmCount = 0
        for vApp in vApps {
            let names = (vApp["vms"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            vmCount += names.count
            let name = vApp["name"] as? String ?? ""
            let expected = ["k1": ["k1-m1", "k1-n1", "k1-n2"], "k2": ["k2-m1", "k2-n1"], "k3": ["k3-m1", "k3-n1"]][name]
            #expect(names == expected, "vApp \(name)")
        }
        #expect((audit["addresses"] as? [Any])?.count == vmCount)
        let items = (audit["catalogItems"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(items.filter { $0.hasPrefix("k8s-u") } == ["k8s-u-r1"])
        #expect((audit["problems"] as? [String]) == [])
        #expect(audit["runningTasks"] as? Int == 0)
    }
}

extension CLIRunner {
    /// Starts `cse` without waiting; its output goes to `log` (a file below the working directory) or is discarded.
    func start(_ arguments: [String], log: String? = nil, environment: [String: String] = [:]) throws -> SpawnedCommand {
        try SpawnedCommand(executable: Self.binary.path, arguments: arguments, workingDirectory: workingDirectory.path,
                           environment: Self.environment.merging(environment) { $1 }, output: log.map(path))
    }
}
