import Bootstrap
import Foundation
import GuestSecrets
import Logging
import Observe
import Reconcile
import Spec
import Store
import VCDClient
import VCDSim

/// A reconciler with its store file, wired to a simulator over HTTP: cse as `cse run` has it, on a test cloud.
struct Cloud {
    let server: SimServer
    let store: DesiredStateStore
    let admin: VCDSession
    let reconciler: Reconciler
    let directory: URL
    /// The installation's keys (beside the store): what masters publish is sealed to them.
    let keys: InstallationKeys

    /// One installation key set for every test cloud of the run: an RSA-3072 key pair per cloud would cost seconds of
    /// CPU each in a debug build, on a machine the AMQP heartbeat tests share.
    private static let keysDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-e2e-keys-\(UUID().uuidString.prefix(8))").path
    private static let keys = Task { try await InstallationKeys.load(directory: keysDirectory) }
    static func sharedKeys() async throws -> InstallationKeys { try await keys.value }

    /// The template's root password as `cse` reads it (a test value).
    static let rootPassword = "e2e-root-password"

    /// Every vCD release the simulator plays, for tests that run once per release.
    static let releases = SimReleaseProfile.all.map(\.release)

    /// `observing` may wrap the real observer (to act while an observation runs).
    static func start(release: String = SimReleaseProfile.default.release, _ configure: (inout SimOptions) -> Void = { _ in },
                      directory: URL? = nil, environment: [String: String] = ["CSE_TEMPLATE_ROOT_PASSWORD": rootPassword],
                      observing: (Observer) -> any Observing = { $0 }) async throws -> Cloud {
        var options = SimOptions()
        options.vcdVersion = release
        options.taskSeconds = 0.03
        options.bootSeconds = 0.03
        options.phaseSeconds = 0.01
        configure(&options)
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("cse-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await SimServer.start(try Simulator(options: options))
        let store = try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path)
        var logger = Logger(label: "cse.e2e")
        logger.logLevel = .warning
        let admin = VCDSession(baseURL: server.baseURL, credentials: Credentials(user: "administrator", org: "System", password: "sim-admin"),
                               retry: RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200)), logger: logger)
        let keys = try await Self.sharedKeys()
        let runner = ActionRunner(vcd: admin, scripts: BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current), environment: environment), guestSecrets: keys,
                                  taskTimeout: .seconds(30),
                                  pollInterval: .milliseconds(20), logger: logger)
        let reconciler = Reconciler(store: store, observer: observing(Observer(session: admin, logger: logger)), session: admin,
                                    runner: runner, logger: logger)
        return Cloud(server: server, store: store, admin: admin, reconciler: reconciler, directory: directory, keys: keys)
    }

    /// Writes desired state from YAML documents, as `cse apply --prune --no-wait` does.
    func apply(_ documents: String...) throws {
        let specs = try SpecLoader().load(sources: [(file: "specs.yaml", text: documents.joined(separator: "\n---\n"))])
        _ = try store.apply(specs, prune: true)
    }

    func converge(timeout: Duration = .seconds(60)) async throws -> Reconciler.ConvergeOutcome {
        try await reconciler.converge(timeout: timeout)
    }

    func stop() async {
        await reconciler.drain()
        await admin.logout()
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: reading the cloud (as a test, through the API and the simulator's audit)

    /// The simulator's audit; `knownSecrets` are looked for in every decoded layer of extra config and metadata.
    func audit(knownSecrets: [String] = []) async throws -> Audit {
        let body = try JSONSerialization.data(withJSONObject: ["knownSecrets": knownSecrets])
        let response = try await CurlHTTPClient().send(HTTPRequest(method: "POST", url: server.baseURL + "/sim/inventory", body: body))
        return Audit(try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:])
    }

    func faultSummary() async throws -> [[String: Any]] {
        let response = try await CurlHTTPClient().send(HTTPRequest(method: "GET", url: server.baseURL + "/sim/faults"))
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["rules"] as? [[String: Any]] ?? []
    }

    func vApp(_ name: String) async throws -> XMLTree? {
        guard let href = try await admin.query("adminVApp", filter: "name==\(name)").first?.href else { return nil }
        return try await admin.get(href)
    }

    func vm(_ name: String) async throws -> QueryRecord? {
        try await admin.query("adminVM", filter: "name==\(name)", fields: ["name", "status", "container"]).first
    }

    func wait(_ task: VCDTask) async throws { try await admin.wait(for: task, pollInterval: .milliseconds(20)) }
}

/// The simulator's view of its cloud.
struct Audit {
    let raw: [String: Any]
    init(_ raw: [String: Any]) { self.raw = raw }

    var vApps: [[String: Any]] { raw["vApps"] as? [[String: Any]] ?? [] }
    var vAppNames: [String] { vApps.compactMap { $0["name"] as? String }.sorted() }
    func vmNames(of vApp: String) -> [String] {
        (vApps.first { $0["name"] as? String == vApp }?["vms"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
    }
    func vmStatuses(of vApp: String) -> [Int] {
        (vApps.first { $0["name"] as? String == vApp }?["vms"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? Int }
    }
    /// `name: (cpu, memoryMB)` of each VM of the vApp.
    func vmSizes(of vApp: String) -> [String: [Int]] {
        let vms = vApps.first { $0["name"] as? String == vApp }?["vms"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: vms.compactMap { vm in
            (vm["name"] as? String).map { ($0, [vm["cpu"] as? Int ?? 0, vm["memoryMB"] as? Int ?? 0]) }
        })
    }
    var addresses: [String] { (raw["addresses"] as? [[String: String]] ?? []).compactMap { $0["address"] }.sorted() }
    var catalogItems: [String] { (raw["catalogItems"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted() }
    var problems: [String] { raw["problems"] as? [String] ?? ["audit unreadable"] }
    /// Secrets an org's users could read in clear (extra config, user data, captured templates, metadata).
    var secretsInClear: [String] { raw["secretsInClear"] as? [String] ?? ["audit unreadable"] }
}

enum Specs {
    static let sourceLine = "source: {catalogItem: ubuntu-24.04-server-cloudimg-amd64.ova}"

    static func template(capture: Bool = true, cleanup: Bool = true, kubernetes: String = "1.31.4",
                         cni: String = "{plugin: calico, version: 3.29.1}") -> String {
        """
        apiVersion: cse/v1
        kind: Template
        metadata:
          name: ubuntu-24.04
        spec:
          os: {name: ubuntu, version: "24.04"}
          \(sourceLine)
          build: {org: cse, vdc: cse-vdc, network: cse-net, ipAllocationMode: pool, catalog: cse, tempVApp: csetmp-u, cleanup: \(cleanup), capture: \(capture)}
          catalogItem: k8s-u
          versions: {kubernetes: \(kubernetes), containerd: 1.7.24, cni: \(cni)}
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """
    }

    static func cluster(_ name: String, org: String = "org1", vdc: String = "org1-vdc", network: String = "intranet", nodes: Int,
                        nodeCPU: Int? = nil, nodeMemoryMB: Int? = nil) -> String {
        """
        apiVersion: cse/v1
        kind: Cluster
        metadata:
          name: \(name)
          org: \(org)
        spec:
          vdc: \(vdc)
          template: ubuntu-24.04
          network: \(network)
          nodes:
            count: \(nodes)
        """ + (nodeCPU.map { "\n    cpu: \($0)" } ?? "") + (nodeMemoryMB.map { "\n    memoryMB: \($0)" } ?? "")
    }
}
