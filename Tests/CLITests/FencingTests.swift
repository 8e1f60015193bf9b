import Foundation
import TestSupport
import Testing
import Store

/// A replica that stalls past its lease's TTL (SIGSTOP) while another takes over does not act once it resumes
/// (SIGCONT): the store refuses its writes for their stale fencing token, and it makes no vCD write.
@Suite("Fencing of a stalled lease holder")
struct FencingTests {
    @Test func aPausedHolderDoesNotActAfterResumingAndItsStaleWritesAreRefused() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let ttl = 4
        // Slow enough tasks that actions are under way when the holder is stopped.
        let harness = try await ReplicaHarness.start(cli, replicas: 2, leaseTTL: ttl,
                                                     simSettings: "task_seconds: 0.4\nboot_seconds: 0.3\nphase_seconds: 0.1\n")
        var replicas: [SpawnedCommand] = []
        defer { harness.stop(replicas) }
        let env = ReplicaHarness.environment
        let clusters = (1...6).map { ReplicaHarness.cluster("p\($0)", template: "tpl", nodes: 1) }
        try cli.write(([ReplicaHarness.template("tpl")] + clusters).joined(separator: "\n---\n"), to: "specs/all.yaml")
        let apply = try await cli.runOffPool(["apply", "specs", "--no-wait", "--config", harness.config(0)], environment: env)
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")

        replicas = [try harness.startReplica(0)]
        #expect(try await ReplicaHarness.eventually(120) { try harness.holderPID() == replicas[0].processIdentifier }, "the first replica never took the lease")
        replicas.append(try harness.startReplica(1))
        #expect(try await ReplicaHarness.eventually(120) { harness.log(1).contains("which holds this store's lease") }, "the second replica does not wait")
        let paused = replicas[0].processIdentifier, standby = replicas[1].processIdentifier
        let agent = "cse (pid \(paused))"
        // The holder is at work in vCD (the template build, then clusters) when it is stopped.
        #expect(try await ReplicaHarness.eventually(120) { try await harness.writes().filter { $0.agent == agent }.count >= 3 },
                "the holder made no vCD writes")
        let pausedToken = try #require(try harness.store.lease()?.token)
        kill(paused, SIGSTOP)
        #expect(try await ReplicaHarness.eventually(Double(ttl) * 8) { try harness.holderPID() == standby }, "the standby did not take over")
        // The new holder works before the old one resumes.
        #expect(try await ReplicaHarness.eventually(120) {
            try await harness.writes().contains { $0.agent == "cse (pid \(standby))" }
        }, "the new holder made no vCD write")
        let resumedAt = Date()
        kill(paused, SIGCONT)

        // The resumed replica's first writes are refused (its lease renewal, a status or an event), it says so and
        // waits for the lease again; the standby keeps it.
        var refused: [RefusedWrite] = []
        #expect(try await ReplicaHarness.eventually(60) {
            refused = try harness.store.refusedWrites().filter { $0.holder.contains("pid \(paused) ") }
            return !refused.isEmpty
        }, "the store refused no write of the resumed replica")
        #expect(refused.allSatisfy { $0.token == pausedToken && ($0.currentToken ?? 0) > pausedToken }, "\(refused)")
        #expect(try await ReplicaHarness.eventually(60) { harness.log(0).contains("lost the store's lease") }, "the resumed replica did not notice")
        #expect(try await ReplicaHarness.eventually(60) {
            let log = harness.log(0)
            guard let lost = log.range(of: "lost the store's lease") else { return false }
            return log[lost.upperBound...].contains("which holds this store's lease")
        }, "the resumed replica did not go back to waiting for the lease")
        #expect(try await ReplicaHarness.eventually(240) { try harness.converged() }, "the new holder did not converge")
        #expect(try harness.holderPID() == standby)

        // vCD heard nothing from the resumed replica; everything converged once.
        let late = try await harness.writes().filter { $0.agent == agent && $0.at > resumedAt }
        #expect(late.isEmpty, "the resumed replica wrote to vCD: \(late.map { "\($0.method) \($0.path)" })")
        var problems: [String] = []
        #expect(try await ReplicaHarness.eventually(60) {
            problems = try await harness.auditProblems()
            return problems.isEmpty
        }, "the simulator's audit: \(problems)")
        await harness.stop(replicas)
    }
}
