import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Spec
@testable import Store

/// Several `cse run` replicas on one store against a `cse sim` process (and, for tenant requests, RabbitMQ): each
/// replica has its own config (its own log file) naming the same store, simulator and queue.
struct ReplicaHarness {
    let cli: CLIRunner
    let sim: SpawnedCommand
    let baseURL: String
    let store: DesiredStateStore
    let leaseTTL: Int
    static let environment = ["CSE_TEST_VCD_PASSWORD": "sim-admin", "CSE_TEST_AMQP_PASSWORD": "guest",
                              "CSE_TEMPLATE_ROOT_PASSWORD": "replica-test-root"]

    /// Starts the simulator (forwarding tenant requests to `amqp` when given) and writes `count` replica configs.
    static func start(_ cli: CLIRunner, replicas count: Int, leaseTTL: Int, amqp: URL? = nil, simSettings: String) async throws -> ReplicaHarness {
        try cli.write(simSettings, to: "sim-settings.yaml")
        var arguments = ["sim", "--listen", "127.0.0.1:0", "--settings", cli.path("sim-settings.yaml")]
        if let amqp { arguments += ["--amqp", amqp.absoluteString] }
        let sim = try cli.start(arguments, log: "sim.log")
        var baseURL: String?
        for _ in 0..<600 where baseURL == nil {
            let text = (try? String(contentsOfFile: cli.path("sim.log"), encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { baseURL = String(text[range]) }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let baseURL else {
            kill(sim.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "cse sim did not start"])
        }
        var amqpSection = ""
        if let amqp {
            let queue = "cse-replicas-\(UUID().uuidString.prefix(8).lowercased())"
            amqpSection = """
                amqp:
                  host: \(amqp.host ?? "127.0.0.1")
                  port: \(amqp.port ?? 5672)
                  username: \(amqp.user ?? "guest")
                  password: {env: CSE_TEST_AMQP_PASSWORD}
                  exchange: \(queue)-ext
                  routing_key: \(queue)

                """
        }
        for index in 0..<count {
            try cli.write("""
                vcd:
                  host: \(baseURL)
                  username: administrator
                  password: {env: CSE_TEST_VCD_PASSWORD}
                  verify: false
                \(amqpSection)\(storeSection(cli))
                service:
                  listeners: 2
                  resync_interval: 600
                  log_file: \(cli.path("r\(index).log"))
                  logging_level: info
                  lease:
                    ttl: \(leaseTTL)
                """, to: "r\(index).yaml")
        }
        let store = try openStore(cli)
        return ReplicaHarness(cli: cli, sim: sim, baseURL: baseURL, store: store, leaseTTL: leaseTTL)
    }

    /// The one store every replica names, and the test's own handle on it: a SQLite file in the test's folder, or,
    /// when `CSE_TEST_REPLICA_STORE_URL` names a PostgreSQL database (`postgres://cse@127.0.0.1:25432/cse`), a fresh
    /// schema of its own there (per-machine files stay in the test's folder).
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CSE_TEST_REPLICA_STORE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func storeURL(_ cli: CLIRunner) -> String? {
        postgresURL.map { "\($0)?schema=replicas_\(cli.workingDirectory.lastPathComponent.suffix(12).lowercased().filter { $0.isLetter || $0.isNumber })" }
    }

    static func storeSection(_ cli: CLIRunner) -> String {
        """
        store:
          path: \(cli.path("store.sqlite"))
        """ + (storeURL(cli).map { "\n  url: \($0)" } ?? "")
    }

    static func openStore(_ cli: CLIRunner) throws -> DesiredStateStore {
        if let url = storeURL(cli) { return try DesiredStateStore(postgres: PostgresURL(parsing: url), path: cli.path("store.sqlite")) }
        return try DesiredStateStore(path: cli.path("store.sqlite"))
    }

    /// Ends the replicas (a paused one is continued first, so that it can die), the simulator, and, on PostgreSQL, the
    /// test's schema: a test leaves nothing behind in the shared test database.
    func stop(_ replicas: [SpawnedCommand]) {
        for replica in replicas where replica.isRunning {
            kill(replica.processIdentifier, SIGCONT)
            kill(replica.processIdentifier, SIGKILL)
        }
        if sim.isRunning { kill(sim.processIdentifier, SIGKILL) }
        for replica in replicas { replica.waitUntilExit(limit: .seconds(30)) }
        guard let engine = store.engine as? PostgresEngine, let schema = engine.url.schema, schema.hasPrefix("replicas_") else { return }
        // The killed replicas' sessions end when the server sees their sockets close; until then their locks hold the
        // drop back (at most `idle_in_transaction_session_timeout`, 5 s, for a session idle in a transaction).
        try? engine.execute("DROP SCHEMA \(PostgresSchema.quoted(schema)) CASCADE")
        store.close()
    }

    func config(_ index: Int) -> String { cli.path("r\(index).yaml") }

    func startReplica(_ index: Int) throws -> SpawnedCommand {
        try SpawnedCommand(executable: CLIRunner.binary.path, arguments: ["run", config(index), "--grace", "5"], workingDirectory: cli.workingDirectory.path,
                           environment: CLIRunner.environment.merging(Self.environment) { $1 }, output: cli.path("r\(index).out"))
    }

    func log(_ index: Int) -> String { (try? String(contentsOfFile: cli.path("r\(index).log"), encoding: .utf8)) ?? "" }

    /// The pid in the lease's holder (`cse run (pid N on host)`), nil when nobody holds it.
    func holderPID() throws -> pid_t? {
        guard let holder = try store.lease()?.holder, let range = holder.range(of: #"pid [0-9]+"#, options: .regularExpression) else { return nil }
        return pid_t(holder[range].dropFirst(4))
    }

    /// Waits for `condition`, checking every 50 ms, up to `seconds`; returns whether it held.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// Every desired object Ready at its generation, no deletion pending.
    func converged() throws -> Bool {
        let statuses = try store.statuses()
        return try store.objects().allSatisfy { object in
            guard let status = statuses[object.uid] else { return false }
            return !object.isDeleting && status.phase == .ready && status.observedGeneration >= object.generation
        }
    }

    func json(_ path: String) async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: baseURL + path)!)
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The simulator's record of requests that change something in the cloud: (agent, method, path, status, at).
    /// Logins and logouts (`.../sessions`) change nothing there and are left out.
    func writes() async throws -> [(agent: String, method: String, path: String, status: Int, at: Date)] {
        (try await json("/sim/writes")["writes"] as? [[String: Any]] ?? []).filter { ($0["path"] as? String)?.contains("/sessions") == false }.map {
            ($0["agent"] as? String ?? "", $0["method"] as? String ?? "", $0["path"] as? String ?? "", $0["status"] as? Int ?? 0,
             Date(timeIntervalSince1970: $0["at"] as? Double ?? 0))
        }
    }

    /// A tenant's session token (vCD's legacy login, as vcd-cli 19 does it).
    func login(user: String, org: String, password: String) async throws -> String {
        var request = URLRequest(url: URL(string: baseURL + "/api/sessions")!)
        request.httpMethod = "POST"
        request.setValue("Basic " + Data("\(user)@\(org):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/*+xml;version=37.0", forHTTPHeaderField: "Accept")
        let (_, response) = try await URLSession.shared.data(for: request)
        guard let token = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "x-vcloud-authorization") else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "login of \(user)@\(org) failed"])
        }
        return token
    }

    /// `POST /api/cluster` as vcd-cli 19 sends it; returns the HTTP status and body.
    func createCluster(_ name: String, nodes: Int, template: String, token: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: baseURL + "/api/cluster")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue(token, forHTTPHeaderField: "x-vcloud-authorization")
        request.setValue("application/*+json;version=30.0", forHTTPHeaderField: "Accept")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let body: [String: Any] = ["name": name, "node_count": nodes, "vdc": "org1-vdc", "network": "intranet", "cpu_count": NSNull(),
                                   "memory": NSNull(), "storage_profile": NSNull(), "ssh_key": NSNull(), "template": template]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func template(_ name: String) -> String {
        """
        apiVersion: cse/v1
        kind: Template
        metadata: {name: \(name)}
        spec:
          os: {name: ubuntu, version: "24.04"}
          source:
            catalogItem: ubuntu-24.04-server-cloudimg-amd64.ova
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse}
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """
    }

    static func cluster(_ name: String, template: String, nodes: Int) -> String {
        """
        apiVersion: cse/v1
        kind: Cluster
        metadata: {name: \(name), org: org1}
        spec: {vdc: org1-vdc, template: \(template), network: intranet, nodes: {count: \(nodes)}}
        """
    }

    /// Problems the simulator's audit finds, plus duplicates and leaks: a vApp no desired cluster names (template build
    /// vApps aside), two vApps of one name, a VM count other than master + nodes, an address held twice, a task running.
    func auditProblems() async throws -> [String] {
        let audit = try await json("/sim/inventory")
        var problems = audit["problems"] as? [String] ?? []
        if let running = audit["runningTasks"] as? Int, running != 0 { problems.append("\(running) task(s) still running") }
        var wanted: [String: Int] = [:]
        for object in try store.objects(kind: .cluster) {
            if case .cluster(let spec) = object.object { wanted[object.key.name] = 1 + spec.nodes.count }
        }
        var seen: [String: Int] = [:]
        for vApp in audit["vApps"] as? [[String: Any]] ?? [] {
            guard let name = vApp["name"] as? String, !name.hasPrefix("csetmp") else { continue }
            seen[name, default: 0] += 1
            let vms = (vApp["vms"] as? [[String: Any]] ?? []).count
            if let count = wanted[name] {
                if vms != count { problems.append("vApp \(name) has \(vms) VMs, its cluster wants \(count)") }
            } else {
                problems.append("leaked vApp \(name): no desired cluster")
            }
        }
        for (name, count) in seen where count > 1 { problems.append("\(count) vApps named \(name)") }
        for name in wanted.keys where seen[name] == nil { problems.append("cluster \(name) has no vApp") }
        let addresses = (audit["addresses"] as? [[String: String]] ?? []).map { "\($0["network"] ?? "")/\($0["address"] ?? "")" }
        if Set(addresses).count != addresses.count { problems.append("an address is allocated twice: \(addresses.sorted())") }
        return problems.sorted()
    }

    func stop(_ replicas: [SpawnedCommand]) async {
        for replica in replicas where replica.isRunning {
            kill(replica.processIdentifier, SIGCONT)
            kill(replica.processIdentifier, SIGTERM)
        }
        for replica in replicas { await CLIRunner.waitOffPool(replica) }
        kill(sim.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(sim)
    }
}
