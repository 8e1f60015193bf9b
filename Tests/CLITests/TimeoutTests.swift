import Foundation
import Testing

/// `--timeout` bounds a command even when a vCD call never answers.
@Suite struct TimeoutTests {
    @Test func applyEndsWithExitCode3WhenVCDNeverAnswers() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        #expect(try await cli.runOffPool(["sample-specs", "specs"]).status == 0)
        // Every version query of the embedded simulator waits ten minutes: login never completes.
        try cli.write("""
            faults:
              - {kind: latency, match: "GET /api/versions", latency_ms: 600000}
            """, to: ".cse/sim/settings.yaml")
        let started = ContinuousClock.now
        let result = try await cli.runOffPool(["apply", "specs", "--timeout", "2"],
                                              environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "not-logged-4711"])
        let took = ContinuousClock.now - started
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("still running") && result.stderr.contains("--timeout of 2 s"), "\(result.stderr)")
        #expect(took < .seconds(60), "apply took \(took) with --timeout 2")
        #expect(!(result.stdout + result.stderr).contains("not-logged-4711"))
    }
}
