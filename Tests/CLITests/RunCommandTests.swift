import Foundation
import Testing

/// `cse run` as a service: woken by desired-state changes written by another process, and stopped by SIGTERM.
@Suite("cse run")
struct RunCommandTests {
    @Test func theServiceConvergesWhatApplyWritesAndStopsCleanlyOnSigterm() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.writeServiceConfig()
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: "state/sim/settings.yaml")
        let service = try cli.start(["run", "config.yaml"])
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        // Desired state written by another process; the service notices without waiting for the resync.
        let sample = try cli.run(["sample-specs", cli.path("specs")])
        #expect(sample.status == 0, "\(sample.stderr)")
        let apply = try cli.run(["apply", "specs/", "--no-wait", "--config", "config.yaml"])
        #expect(apply.status == 0, "\(apply.stderr)")
        var ready = false
        for _ in 0..<300 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            let clusters = try cli.run(["get", "clusters", "--config", "config.yaml", "-o", "json"])
            ready = clusters.stdout.range(of: #""phase"\s*:\s*"Ready""#, options: .regularExpression) != nil
        }
        #expect(ready, "the cluster never became ready under cse run")
        kill(service.processIdentifier, SIGTERM)
        service.waitUntilExit()
        #expect(service.terminationReason == .exit && service.terminationStatus == 0)
        let log = try String(contentsOfFile: cli.path("cse.log"), encoding: .utf8)
        #expect(log.contains("received SIGTERM"))
        #expect(log.contains("stopped"))
        #expect(!log.contains("sim-admin"))
    }

    /// Under systemd (Type=notify), the service says READY=1 once it serves, reports on the lease in STATUS=, and says
    /// STOPPING=1 when SIGTERM arrives; on a path socket and on an abstract one (systemd uses either).
    @Test(arguments: [false, true]) func underSystemdTheServiceSaysWhenItIsReadyAndWhenItStops(abstract: Bool) async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.writeServiceConfig()
        let socket = try NotifySocket(abstract: abstract)
        defer { socket.close() }
        let service = try cli.start(["run", "config.yaml"], environment: ["NOTIFY_SOCKET": socket.environmentValue])
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        let started = try await socket.receive(timeout: .seconds(120)) { $0.contains { $0.hasPrefix("STATUS=reconciling") } }
        let log = { (try? String(contentsOfFile: cli.path("cse.log"), encoding: .utf8)) ?? "" }
        #expect(started.first == "READY=1", "\(started)\n\(log())")
        #expect(started.contains("STATUS=serving (no amqp section: no tenant requests)"))
        #expect(started.contains { $0.hasPrefix("STATUS=reconciling: holds the store's lease") }, "\(started)")
        kill(service.processIdentifier, SIGTERM)
        let stopping = try await socket.receive(timeout: .seconds(60)) { $0.contains("STOPPING=1") }
        #expect(stopping == ["STOPPING=1", "STATUS=received SIGTERM; stopping"], "\(stopping)")
        await CLIRunner.waitOffPool(service)
        #expect(service.terminationReason == .exit && service.terminationStatus == 0, "\(log())")
    }
}
