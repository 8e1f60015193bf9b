import Foundation
import Testing

/// `cse keys`: a key pair beside the store from the first use, rotation adds one, prune removes only keys no
/// master seals to.
@Suite struct KeysCommandTests {
    @Test func rotateKeepsOldKeysUntilNoMasterUsesThem() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.03\nboot_seconds: 0.03\nphase_seconds: 0.01\n", to: ".cse/sim/settings.yaml")
        let first = try await cli.runOffPool(["keys", "list"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstID = try #require(first.stdout.split(separator: "\n").first.map { String($0.dropFirst(2)) })
        #expect(first.stdout == "* \(firstID)\n")
        let keyFile = cli.path(".cse/store.sqlite.keys/\(firstID).pem")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        // A cluster whose master seals to the first key.
        #expect(try await cli.runOffPool(["sample-specs", cli.path("specs")]).status == 0)
        let apply = try await cli.runOffPool(["apply", "specs", "--timeout", "240"], environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "test-root-pw"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")

        let rotate = try await cli.runOffPool(["keys", "rotate"])
        #expect(rotate.status == 0 && rotate.stdout.contains("2 keys held"), "\(rotate.stdout) \(rotate.stderr)")
        let kept = try await cli.runOffPool(["keys", "prune"])
        #expect(kept.status == 0 && kept.stdout.contains("no unused key"), "\(kept.stdout) \(kept.stderr)")
        #expect(FileManager.default.fileExists(atPath: keyFile), "demo's master still seals to the first key")
        let kubeconfig = try await cli.runOffPool(["kubeconfig", "demo"])
        #expect(kubeconfig.status == 0 && kubeconfig.stdout.contains("kind: Config"), "\(kubeconfig.stderr)")
        #expect(!kubeconfig.stderr.contains("PRIVATE KEY") && !rotate.stdout.contains("PRIVATE KEY"))
    }
}
