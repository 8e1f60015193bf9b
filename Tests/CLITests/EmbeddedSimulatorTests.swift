import Foundation
import Testing

/// Two cse processes in one folder share its embedded simulator: `cse run` serves it, `cse apply` uses it.
@Suite("Embedded simulator shared by two processes")
struct EmbeddedSimulatorTests {
    @Test func runAndApplyInOneFolderAtTheSameTimeBothWork() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: ".cse/sim/settings.yaml")
        #expect(try await cli.detached(["sample-specs", cli.path("specs")]).status == 0)
        let service = try cli.start(["run"], log: "run.log")
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        var serving = false
        for _ in 0..<600 where !serving {
            try await Task.sleep(for: .milliseconds(100))
            serving = ((try? String(contentsOfFile: cli.path("run.log"), encoding: .utf8)) ?? "").contains("serving against")
        }
        #expect(serving, "cse run did not start: \((try? String(contentsOfFile: cli.path("run.log"), encoding: .utf8)) ?? "")")

        // apply writes desired state and follows the service (which holds the store's lease) to the end.
        let apply = try await cli.detached(["apply", "specs/", "--timeout", "180"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("Converged"), "\(apply.stdout)")
        // A command that talks to vCD itself uses the simulator the service runs (one cloud, one state).
        let plan = try await cli.detached(["plan"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stderr.contains("using the embedded vCD simulator of another cse process"), "\(plan.stderr)")
        #expect(plan.stdout.contains("No changes."), "\(plan.stdout)")
        #expect(service.isRunning, "cse run kept serving")
        kill(service.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(service)
        #expect(service.terminationStatus == 0)
    }

    @Test func pipedApplyPrintsItsStoreSummaryBeforeTheProgressLines() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: ".cse/sim/settings.yaml")
        #expect(try await cli.detached(["sample-specs", cli.path("specs")]).status == 0)
        let apply = try await cli.detached(["apply", "specs/", "--timeout", "180"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let lines = apply.stdout.split(separator: "\n").map(String.init)
        let summary = lines.firstIndex { $0.hasPrefix("Desired state:") }
        let firstProgress = lines.firstIndex { $0.hasPrefix("+ ") }
        #expect(summary != nil && firstProgress != nil, "\(apply.stdout)")
        if let summary, let firstProgress { #expect(summary < firstProgress, "\(apply.stdout)") }
    }
}
