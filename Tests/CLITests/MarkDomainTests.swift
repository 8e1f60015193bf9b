import Foundation
import Testing
import VCDSim

/// `cse apply specs/` on the embedded simulator leaves every cse metadata entry in vCD's SYSTEM domain, which tenants
/// cannot write, and none in the GENERAL domain, which they can.
@Suite("cse's marks after cse apply")
struct MarkDomainTests {
    @Test func afterApplyEveryCseMetadataEntryIsInTheSystemDomain() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for file in ["templates/ubuntu-24.04.yaml", "clusters/demo.yaml"] {
            let text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("specs/" + file), encoding: .utf8)
            try cli.write(text, to: "specs/" + file)
        }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.01\n", to: ".cse/sim/settings.yaml")
        let result = try await cli.runOffPool(["apply", "specs/", "--timeout", "120"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")

        var options = SimOptions()
        options.stateFile = cli.path(".cse/sim/state.json")
        let data = await (try Simulator(options: options)).auditJSON()
        let audit = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let vApps = audit["vApps"] as? [[String: Any]] ?? []
        #expect(vApps.compactMap { $0["name"] as? String } == ["demo"])
        var entities = vApps + (audit["catalogItems"] as? [[String: Any]] ?? [])
        for vApp in vApps { entities += vApp["vms"] as? [[String: Any]] ?? [] }
        var systemEntries = 0
        for entity in entities {
            let name = entity["name"] as? String ?? "?"
            let general = entity["metadata"] as? [String: String] ?? [:]
            #expect(general.keys.filter { $0.hasPrefix("cse.") }.isEmpty, "GENERAL-domain cse entries on \(name): \(general)")
            let system = entity["systemMetadata"] as? [String: String] ?? [:]
            let visibility = entity["systemVisibility"] as? [String: String] ?? [:]
            for key in system.keys {
                #expect(key.hasPrefix("cse."))
                #expect(["READONLY", "PRIVATE"].contains(visibility[key] ?? ""), "\(name) \(key)")
                systemEntries += 1
            }
        }
        // The cluster vApp, its three VMs and the template item carry marks.
        #expect(systemEntries >= 6 + 3 * 3 + 3)
    }

    /// A tenant's GENERAL-domain copy of a mark on the cluster's vApp: the next `cse apply` is not misled, and
    /// `cse describe` shows it as tampering.
    @Test func describeShowsATenantsCopyOfAMarkAsTampering() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for file in ["templates/ubuntu-24.04.yaml", "clusters/demo.yaml"] {
            let text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("specs/" + file), encoding: .utf8)
            try cli.write(text, to: "specs/" + file)
        }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.01\n", to: ".cse/sim/settings.yaml")
        let first = try await cli.runOffPool(["apply", "specs/", "--timeout", "120"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        // What a tenant's metadata edit leaves in the saved cloud: a GENERAL entry beside cse's SYSTEM one.
        let stateFile = URL(fileURLWithPath: cli.path(".cse/sim/state.json"))
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateFile)) as? [String: Any])
        let vApps = try #require(state["vApps"] as? [String: [String: Any]])
        let demo = try #require(vApps.first { $0.value["name"] as? String == "demo" }?.key)
        var general = state["metadata"] as? [String: [String: String]] ?? [:]
        general[demo, default: [:]]["cse.cluster.id"] = "forged"
        state["metadata"] = general
        try JSONSerialization.data(withJSONObject: state).write(to: stateFile)

        let second = try await cli.runOffPool(["apply", "specs/", "--timeout", "120"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let described = try await cli.runOffPool(["describe", "cluster", "demo", "--org", "org1"])
        #expect(described.status == 0)
        let line = described.stdout.split(separator: "\n").first { $0.contains("MarksTrusted") }
        #expect(line?.contains("MarkTampered") == true, "\(described.stdout)")
        #expect(line?.contains("cse.cluster.id=forged") == true)
        #expect(described.stdout.contains("GENERAL domain"))
        let vAppsAfter = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateFile)) as? [String: Any])["vApps"] as? [String: Any]
        #expect(vAppsAfter?.count == 1)
    }
}
