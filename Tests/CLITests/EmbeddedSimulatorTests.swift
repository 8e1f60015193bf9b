import Foundation
import Testing

/// Two cse processes in one folder share its embedded simulator: `cse run` serves it, `cse apply` uses it.
@Suite("Embedded simulator shared by two processes")
struct EmbeddedSimulatorTests {
    @Test func runAndApplyInOneFolderAtTheSameTimeBothWork() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: ".cse/sim/settings.yaml")
        #expect(try cli.run(["sample-specs", cli.path("specs")]).status == 0)
        let service = try cli.start(["run"], log: "run.log")
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        var serving = false
        for _ in 0..<600 where !serving {
            try await Task.sleep(for: .milliseconds(100))
            serving = ((try? String(contentsOfFile: cli.path("run.log"), encoding: .utf8)) ?? "").contains("serving against")
        }
        #expect(serving, "cse run did not start: \((try? String(contentsOfFile: cli.path("run.log"), encoding: .utf8)) ?? "")")

        let apply = try cli.run(["apply", "specs/", "--timeout", "180"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stderr.contains("using the embedded vCD simulator of another cse process"), "\(apply.stderr)")
        #expect(apply.stdout.contains("Converged"), "\(apply.stdout)")
        #expect(service.isRunning, "cse run kept serving")
        kill(service.processIdentifier, SIGTERM)
        service.waitUntilExit()
        #expect(service.terminationStatus == 0)
    }

    @Test func pipedApplyPrintsItsStoreSummaryBeforeTheProgressLines() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: ".cse/sim/settings.yaml")
        #expect(try cli.run(["sample-specs", cli.path("specs")]).status == 0)
        let apply = try cli.run(["apply", "specs/", "--timeout", "180"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let lines = apply.stdout.split(separator: "\n").map(String.init)
        let summary = lines.firstIndex { $0.hasPrefix("Desired state:") }
        let firstProgress = lines.firstIndex { $0.hasPrefix("+ ") }
        #expect(summary != nil && firstProgress != nil, "\(apply.stdout)")
        if let summary, let firstProgress { #expect(summary < firstProgress, "\(apply.stdout)") }
    }
}
