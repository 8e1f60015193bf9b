import Foundation
import Testing

/// Where the store is, and what happens when it is not there: relative paths of a config resolve against the
/// config file; only writing commands create a store (and say so); read commands refuse a missing one.
@Suite("Store location")
struct StoreLocationTests {
    @Test func readCommandsRefuseAMissingStoreWithItsPathAndCreateNothing() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for command in [["get", "clusters"], ["describe", "cluster", "demo"], ["plan"]] {
            let result = try await cli.detached(command + ["--store", "typo.sqlite"])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("no store at typo.sqlite"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("Usage"), "\(command)")
            #expect(!FileManager.default.fileExists(atPath: cli.path("typo.sqlite")), "\(command) created a store")
        }
    }

    @Test func relativeStorePathOfAConfigIsTakenFromTheConfigFilesFolder() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("store:\n  path: state/store.sqlite\n", to: "prod/config.yaml")
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a"), to: "elsewhere/specs/all.yaml")
        let apply = try await cli.detached(["apply", cli.path("elsewhere/specs"), "--no-wait", "--config", cli.path("prod/config.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.contains("Created a new store at \(cli.path("prod/state/store.sqlite"))"), "\(apply.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("prod/state/store.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state/store.sqlite")))
        // From another folder, the same config finds the same store.
        let list = try await cli.detached(["get", "clusters", "--config", "../prod/config.yaml"], in: "elsewhere")
        #expect(list.status == 0 && list.stdout.contains("org1  a"), "\(list.stdout)\(list.stderr)")
        let again = try await cli.detached(["apply", cli.path("elsewhere/specs"), "--no-wait", "--config", cli.path("prod/config.yaml")])
        #expect(!again.stderr.contains("Created a new store"), "\(again.stderr)")
    }

    @Test func aReadOnlyStoreIsReadableAndAWriteSaysWhy() async throws {
        let cli = try CLIRunner()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cli.path("s.sqlite"))
            cli.cleanUp()
        }
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a"), to: "specs/all.yaml")
        #expect(try await cli.detached(["apply", "specs", "--no-wait", "--store", "s.sqlite"]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cli.path("s.sqlite"))
        let list = try await cli.detached(["get", "clusters", "--store", "s.sqlite"])
        #expect(list.status == 0 && list.stdout.contains("org1  a"), "\(list.stdout)\(list.stderr)")
        #expect(try await cli.detached(["describe", "cluster", "a", "--store", "s.sqlite"]).status == 0)
        // Root may write any file: the refused write can only be seen as another user.
        if getuid() != 0 {
            let write = try await cli.detached(["apply", "specs", "--no-wait", "--store", "s.sqlite"])
            #expect(write.status == 1)
            #expect(write.stderr.lowercased().contains("readonly") || write.stderr.lowercased().contains("read-only"), "\(write.stderr)")
        }
    }

    @Test func installChecksVCDBeforeItWritesDesiredState() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        // The sample config, pointed at a vCD that is not there (nothing listens on port 1).
        let sample = try await cli.detached(["sample-config"])
        try cli.write(sample.stdout.replacingOccurrences(of: "host: vcd.example.com", with: "host: http://127.0.0.1:1"), to: "config.yaml")
        let install = try await cli.detached(["install", "config.yaml", "--timeout", "30"], environment: ["CSE_VCD_PASSWORD": "x"])
        #expect(install.status != 0, "\(install.stdout)")
        #expect(!install.stdout.contains("created generation"), "desired state was written before vCD answered: \(install.stdout)")
        let list = try await cli.detached(["get", "templates", "--config", "config.yaml"])
        #expect(!list.stdout.contains("k8s-u"), "\(list.stdout)\(list.stderr)")
    }

    @Test func describingWhatIsNotThereExitsOneWithoutAUsageHint() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write(SpecFixtures.template, to: "specs/t.yaml")
        #expect(try await cli.detached(["apply", "specs", "--no-wait"]).status == 0)
        let missing = try await cli.detached(["describe", "cluster", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cluster 'nope' not found") && !missing.stderr.contains("Usage"), "\(missing.stderr)")
    }
}

/// `cse get -o yaml` prints specs that `cse apply` takes back unchanged.
@Suite("get -o yaml round trip")
struct GetYAMLRoundTripTests {
    @Test func getYAMLIsAcceptedByApplyAsUnchanged() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write(SpecFixtures.template + "\n---\n" + SpecFixtures.cluster("a") + "\n---\n" + """
            apiVersion: cse/v1
            kind: Cluster
            metadata: {name: b, org: org2}
            spec: {vdc: org2-vdc, template: ubuntu-24.04, network: org2-net, master: {cpu: 4}, nodes: {count: 0, memoryMB: 4096},
                   sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBk admin@example.com"}
            """, to: "specs/all.yaml")
        #expect(try await cli.detached(["apply", "specs", "--no-wait"]).status == 0)
        for resource in ["templates", "clusters"] {
            let yaml = try await cli.detached(["get", resource, "-o", "yaml"])
            #expect(yaml.status == 0 && yaml.stdout.contains("apiVersion: cse/v1"), "\(yaml.stderr)")
            try cli.write(yaml.stdout, to: "exported/\(resource).yaml")
        }
        let again = try await cli.detached(["apply", "exported", "--no-wait"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Desired state: 0 created, 0 updated, 0 restored, 3 unchanged, 0 pruned."), "\(again.stdout)")
    }
}
