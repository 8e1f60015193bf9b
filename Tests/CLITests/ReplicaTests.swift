import Foundation
import TestSupport
import Testing
import Store
import Spec

/// Three `cse run` replicas on one store, one RabbitMQ queue and the simulator: the lease holder is killed with
/// SIGKILL mid-way; another replica takes over within about the lease's TTL, everything converges once, and every
/// tenant request that was answered is applied exactly once. Needs RabbitMQ (`CSE_TEST_AMQP_URL`); scripts/test runs
/// it after the AMQP tests.
@Suite("Replicas of cse run")
struct ReplicaTests {
    static let amqpURL = ProcessInfo.processInfo.environment["CSE_TEST_AMQP_URL"].flatMap(URL.init(string:))

    @Test(.enabled(if: amqpURL != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
    func aStandbyTakesOverFromAKilledHolderAndEveryRequestIsAppliedOnce() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let ttl = 5
        let harness = try await ReplicaHarness.start(cli, replicas: 3, leaseTTL: ttl, amqp: Self.amqpURL,
                                                     simSettings: "task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n")
        var replicas: [SpawnedCommand] = []
        defer { harness.stop(replicas) }
        let env = ReplicaHarness.environment
        let clusters = (1...20).map { ReplicaHarness.cluster(String(format: "c%02d", $0), template: "tpl", nodes: $0 % 2) }
        try cli.write(([ReplicaHarness.template("tpl")] + clusters).joined(separator: "\n---\n"), to: "specs/all.yaml")
        let apply = try await cli.runOffPool(["apply", "specs", "--no-wait", "--config", harness.config(0)], environment: env)
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let register = try await cli.runOffPool(["register", harness.config(0)], environment: env)
        #expect(register.status == 0, "\(register.stdout)\n\(register.stderr)")

        replicas = try (0..<3).map(harness.startReplica)
        let pids = Set(replicas.map(\.processIdentifier))
        #expect(try await ReplicaHarness.eventually(120) { try harness.holderPID().map(pids.contains) == true }, "no replica took the lease")
        #expect(try await ReplicaHarness.eventually(120) { (0..<3).allSatisfy { harness.log($0).contains("serving vCD extension requests") } },
                "not every replica serves tenant requests")

        // Tenant creates, one after another, going on across the failover; one that gets no answer (vCD's 10 s
        // extension timeout) is sent again, as a tenant would.
        let token = try await harness.login(user: "alice", org: "org1", password: "sim-alice")
        let tenantNames = (1...10).map { String(format: "t%02d", $0) }
        let tenants = Task { () -> [String: Int] in
            var answers: [String: Int] = [:]
            for name in tenantNames {
                for _ in 0..<12 {
                    let answer = try? await harness.createCluster(name, nodes: 1, template: "tpl", token: token)
                    answers[name] = answer?.status ?? 0
                    if answer?.status == 202 { break }
                    try? await Task.sleep(for: .seconds(1))
                }
                try? await Task.sleep(for: .milliseconds(700))
            }
            return answers
        }

        // Mid-way: some clusters are ready, not all.
        #expect(try await ReplicaHarness.eventually(150) {
            let statuses = try harness.store.statuses()
            return statuses.values.filter { $0.phase == .ready }.count >= 4
        }, "no cluster became ready")
        #expect(try !harness.converged(), "everything converged before the kill: the test would not test a failover")
        let holder = try #require(try harness.holderPID())
        let holderToken = try #require(try harness.store.lease()?.token)
        kill(holder, SIGKILL)
        let killedAt = ContinuousClock.now
        #expect(try await ReplicaHarness.eventually(Double(ttl) * 6) { try harness.holderPID().map { $0 != holder && pids.contains($0) } == true },
                "no standby took the lease after its holder was killed")
        let failover = ContinuousClock.now - killedAt
        let newToken = try #require(try harness.store.lease()?.token)
        let seconds = Double(failover.components.seconds) + Double(failover.components.attoseconds) / 1e18
        print("replica failover: \(String(format: "%.2f", seconds)) s after SIGKILL of the holder (lease ttl \(ttl) s, token \(holderToken) -> \(newToken))")
        #expect(failover < .seconds(ttl + 3), "failover took \(failover) with a \(ttl) s lease")
        #expect(newToken > holderToken)

        let answers = await tenants.value
        #expect(answers.values.allSatisfy { $0 == 202 }, "every tenant create was answered 202: \(answers)")
        #expect(try await ReplicaHarness.eventually(240) { try harness.converged() }, "the survivors did not converge")
        var problems: [String] = []
        #expect(try await ReplicaHarness.eventually(60) {
            problems = try await harness.auditProblems()
            return problems.isEmpty
        }, "the simulator's audit: \(problems)")

        // Every answered tenant create is one cluster with one create task, ended in success; nothing was done twice.
        let tasks = try harness.store.tenantTasks(states: [.pending, .running, .success, .error])
        for name in tenantNames {
            let object = try #require(try harness.store.object(ObjectKey(kind: .cluster, org: "org1", name: name)), "\(name) is not in the store")
            let creates = tasks.filter { $0.objectUID == object.uid && $0.operation == .create }
            #expect(creates.count == 1 && creates.first?.state == .success, "\(name): \(creates)")
            #expect(object.generation == 1, "\(name) changed \(object.generation - 1) time(s) after its create")
        }
        for object in try harness.store.objects(kind: .cluster) {
            let created = try harness.store.events(of: object.uid).filter { $0.reason == "VAppCreated" }.count
            #expect(created <= 1, "\(object.key): vApp created \(created) times")
        }
        #expect(try harness.store.objects(kind: .cluster).count == 30)
        #expect(try harness.store.tenantTasks(states: [.pending, .running]).isEmpty, "a tenant task was left open")
        await harness.stop(replicas.filter { $0.processIdentifier != holder })
    }

    /// The extension queue is shared: a replica that stops (SIGSTOP) keeps the requests the broker pushed to it
    /// unanswered; once it is killed, the broker redelivers them to the survivor, which answers each, and each is
    /// applied once.
    @Test(.enabled(if: amqpURL != nil, "CSE_TEST_AMQP_URL is not set: no broker to test against"))
    func requestsHeldByADeadReplicaAreRedeliveredToASurvivorAndAppliedOnce() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let harness = try await ReplicaHarness.start(cli, replicas: 2, leaseTTL: 5, amqp: Self.amqpURL,
                                                     simSettings: "task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n")
        var replicas: [SpawnedCommand] = []
        defer { harness.stop(replicas) }
        let env = ReplicaHarness.environment
        try cli.write(ReplicaHarness.template("tpl"), to: "specs/all.yaml")
        #expect(try await cli.runOffPool(["apply", "specs", "--no-wait", "--config", harness.config(0)], environment: env).status == 0)
        #expect(try await cli.runOffPool(["register", harness.config(0)], environment: env).status == 0)
        replicas = try (0..<2).map(harness.startReplica)
        // Both consumers of each replica are subscribed to the queue (not merely started).
        #expect(try await ReplicaHarness.eventually(120) { (0..<2).allSatisfy { harness.log($0).components(separatedBy: "consuming queue").count == 3 } },
                "not every replica consumes the queue")
        let token = try await harness.login(user: "alice", org: "org1", password: "sim-alice")
        // The standby is stopped (the holder keeps building the template meanwhile).
        #expect(try await ReplicaHarness.eventually(60) { try harness.holderPID() != nil }, "nobody took the lease")
        let stopped = try harness.holderPID() == replicas[0].processIdentifier ? replicas[1].processIdentifier : replicas[0].processIdentifier
        kill(stopped, SIGSTOP)
        let names = (1...6).map { "r\($0)" }
        let creates = names.map { name in
            Task { (try? await harness.createCluster(name, nodes: 0, template: "tpl", token: token))?.status ?? 0 }
        }
        // The survivor answers its share; the stopped replica's share waits in its unacknowledged deliveries.
        #expect(try await ReplicaHarness.eventually(60) {
            try names.filter { try harness.store.object(ObjectKey(kind: .cluster, org: "org1", name: $0)) != nil }.count >= 1
        }, "the running replica answered nothing: \(harness.log(stopped == replicas[0].processIdentifier ? 1 : 0).suffix(3000))")
        try await Task.sleep(for: .seconds(1))
        let beforeKill = try names.filter { try harness.store.object(ObjectKey(kind: .cluster, org: "org1", name: $0)) != nil }
        #expect(beforeKill.count < names.count, "the stopped replica was given no request: the queue is not shared round-robin")
        kill(stopped, SIGKILL)
        var statuses: [Int] = []
        for create in creates { statuses.append(await create.value) }
        #expect(statuses.allSatisfy { $0 == 202 }, "every create answered once the dead replica's requests were redelivered: \(statuses)")
        let tasks = try harness.store.tenantTasks(states: [.pending, .running, .success, .error])
        for name in names {
            let object = try #require(try harness.store.object(ObjectKey(kind: .cluster, org: "org1", name: name)), "\(name) was not applied")
            #expect(tasks.filter { $0.objectUID == object.uid }.count == 1, "\(name): \(tasks.filter { $0.objectUID == object.uid })")
            #expect(object.generation == 1)
        }
        await harness.stop(replicas.filter { $0.processIdentifier != stopped })
    }
}
