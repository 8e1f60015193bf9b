import Foundation
import Testing

/// Where the store is, and what happens when it is not there: relative paths of a config resolve against the
/// config file; only writing commands create a store (and say so); read commands refuse a missing one.
@Suite("Store location")
struct StoreLocationTests {
    @Test func readCommandsRefuseAMissingStoreWithItsPathAndCreateNothing() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for command in [["get", "clusters"], ["describe", "cluster", "demo"], ["plan"]] {
            let result = try cli.run(command + ["--store", "typo.sqlite"])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("no store at typo.sqlite"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("Usage"), "\(command)")
            #expect(!FileManager.default.fileExists(atPath: cli.path("typo.sqlite")), "\(command) created a store")
        }
    }

    @Test func relativeStorePathOfAConfigIsTakenFromTheConfigFilesFolder() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("store:\n  path: state/store.sqlite\n", to: "prod/config.yaml")
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a"), to: "elsewhere/specs/all.yaml")
        let apply = try cli.run(["apply", cli.path("elsewhere/specs"), "--no-wait", "--config", cli.path("prod/config.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.contains("Created a new store at \(cli.path("prod/state/store.sqlite"))"), "\(apply.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("prod/state/store.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state/store.sqlite")))
        // From another folder, the same config finds the same store.
        let list = try cli.run(["get", "clusters", "--config", "../prod/config.yaml"], in: "elsewhere")
        #expect(list.status == 0 && list.stdout.contains("org1  a"), "\(list.stdout)\(list.stderr)")
        let again = try cli.run(["apply", cli.path("elsewhere/specs"), "--no-wait", "--config", cli.path("prod/config.yaml")])
        #expect(!again.stderr.contains("Created a new store"), "\(again.stderr)")
    }

    @Test func describingWhatIsNotThereExitsOneWithoutAUsageHint() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write(SpecFixtures.template, to: "specs/t.yaml")
        #expect(try cli.run(["apply", "specs", "--no-wait"]).status == 0)
        let missing = try cli.run(["describe", "cluster", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cluster 'nope' not found") && !missing.stderr.contains("Usage"), "\(missing.stderr)")
    }
}
