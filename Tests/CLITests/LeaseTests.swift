import Foundation
import TestSupport
import Testing
@testable import Store

/// One process reconciles a store at a time: `cse apply` while `cse run` holds the store's lease hands the work to
/// the service and follows its progress; nothing is done twice.
@Suite struct LeaseTests {
    @Test func applyDuringRunFollowsTheServiceAndNothingIsDoneTwice() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.writeServiceConfig()
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: "state/sim/settings.yaml")
        #expect(try await cli.runOffPool(["sample-specs", cli.path("specs")]).status == 0)
        let service = try cli.start(["run", "config.yaml"])
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        let store = try DesiredStateStore(path: cli.path("state/store.sqlite"))
        var held = false
        for _ in 0..<300 where !held {
            try await Task.sleep(for: .milliseconds(100))
            held = try store.lease()?.holder.hasPrefix("cse run") == true
        }
        #expect(held, "cse run never took the store's lease")

        let apply = try await cli.runOffPool(["apply", "specs/", "--config", "config.yaml", "--timeout", "240"],
                                environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "test-root-pw"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("reconciles this store; following its progress"), "\(apply.stdout)")
        #expect(apply.stdout.contains("Converged"))
        #expect(!apply.stdout.contains("Reconciling against"), "apply reconciled beside the service")

        // Each step of the build and of the cluster happened once.
        let template = try #require(try store.objects(kind: .template).first)
        let cluster = try #require(try store.objects(kind: .cluster).first)
        let templateEvents = try store.events(of: template.uid).map(\.reason)
        let clusterEvents = try store.events(of: cluster.uid).map(\.reason)
        #expect(templateEvents.filter { $0 == "BuildStarted" }.count == 1, "\(templateEvents)")
        #expect(templateEvents.filter { $0 == "TemplateCaptured" }.count == 1, "\(templateEvents)")
        #expect(clusterEvents.filter { $0 == "VAppCreated" }.count == 1, "\(clusterEvents)")
        #expect(clusterEvents.filter { $0 == "VMsAdded" }.count == 2, "master, then the nodes: \(clusterEvents)")

        kill(service.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(service)
        #expect(service.terminationStatus == 0)
        #expect(try store.lease() == nil, "a stopped service gives its lease back")
    }

    @Test func aSecondServiceWaitsForTheFirstToStopAndStopsCleanlyWhileWaiting() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for name in ["a", "b", "c"] {
            try cli.write("""
                store:
                  path: \(cli.path("state/store.sqlite"))
                service:
                  resync_interval: 600
                  log_file: \(cli.path("\(name).log"))
                  logging_level: info
                """, to: "\(name).yaml")
        }
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: "state/sim/settings.yaml")
        let store = try DesiredStateStore(path: cli.path("state/store.sqlite"))
        func holds(_ process: SpawnedCommand) throws -> Bool { try store.lease()?.holder.contains("pid \(process.processIdentifier) ") == true }
        func log(_ name: String) -> String { (try? String(contentsOfFile: cli.path("\(name).log"), encoding: .utf8)) ?? "" }
        func eventually(_ condition: () throws -> Bool) async throws -> Bool {
            for _ in 0..<300 {
                if try condition() { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        let first = try cli.start(["run", "a.yaml"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        #expect(try await eventually { try holds(first) }, "the first service never took the lease")
        // A second service waits, says so, and stops cleanly on SIGTERM while waiting.
        let second = try cli.start(["run", "b.yaml"])
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        #expect(try await eventually { log("b").contains("which holds this store's lease") }, "the second service did not say it waits")
        kill(second.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(second)
        #expect(second.terminationReason == .exit && second.terminationStatus == 0)
        #expect(log("b").contains("while waiting for the store's lease; stopped"))
        #expect(try holds(first))
        // A third takes the lease once the first stops.
        let third = try cli.start(["run", "c.yaml"])
        defer { if third.isRunning { kill(third.processIdentifier, SIGKILL) } }
        #expect(try await eventually { log("c").contains("which holds this store's lease") })
        kill(first.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(first)
        #expect(try await eventually { try holds(third) && log("c").contains("serving against") },
                "the third service did not take the lease once the first stopped")
        kill(third.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(third)
        #expect(third.terminationReason == .exit && third.terminationStatus == 0)
        #expect(try store.lease() == nil)
    }
}
