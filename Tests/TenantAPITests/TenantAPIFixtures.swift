import Foundation
import Spec
import Store
@testable import TenantAPI

/// vCD stand-ins for handler tests: tokens map to callers, tasks get numbered hrefs.
struct TokenCallers: CallerResolver {
    static let callers = [
        "t-alice": Caller(user: "alice", org: "org1", isSystemAdministrator: false),
        "t-bob": Caller(user: "bob", org: "org2", isSystemAdministrator: false),
        "t-admin": Caller(user: "administrator", org: "System", isSystemAdministrator: true),
    ]

    func caller(for request: ExtensionRequest) async throws -> Caller? {
        request.token.flatMap { Self.callers[$0] }
    }
}

actor RecordingTasks: TaskPublisher {
    private(set) var created: [(org: String, operation: String, cluster: String)] = []
    /// How many of the next task creations fail (as vCD answering 503 would).
    var failures = 0
    /// How many of the next task creations make the task in "vCD" and then fail before the answer is recorded (a lost
    /// answer, or a process killed between creating the task and recording it).
    var lostAnswers = 0
    /// Tasks made and still running, by operation text.
    private(set) var running: [String: String] = [:]

    func existingTask(org: String, operation: String, clusterName: String, clusterID: String) async throws -> String? {
        running["\(org)/\(operation)/\(clusterID)"]
    }

    func loseAnswers(_ count: Int) { lostAnswers = count }

    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String {
        if failures > 0 {
            failures -= 1
            throw URLError(.cannotConnectToHost)
        }
        created.append((org, operation, clusterName))
        let href = "https://vcd.example/api/task/\(created.count)"
        running["\(org)/\(operation)/\(clusterID)"] = href
        if lostAnswers > 0 {
            lostAnswers -= 1
            throw URLError(.networkConnectionLost)
        }
        return href
    }

    func failOnce() { failures = 1 }
    func fail(times: Int) { failures = times }
}

struct FixedKubeconfig: KubeconfigSource {
    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String {
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://\(status.observed?.masterIP ?? "?"):6443\n  name: \(cluster.key.name)\n"
    }
}

struct APIHarness {
    let store: DesiredStateStore
    let tasks = RecordingTasks()
    let api: ClusterAPI
    let directory: URL

    init(placements: (any PlacementChecker)? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path)
        api = ClusterAPI(store: store, callers: TokenCallers(), tasks: tasks, kubeconfigs: FixedKubeconfig(), placements: placements)
        try store.put(.template(Self.template), owner: .admin)
    }

    static let template = TemplateSpec(
        name: "ubuntu-16.04", labels: [], os: OperatingSystem(family: .ubuntu, version: "16.04"),
        source: OVASource(url: "https://example.com/u.ova", sha1: String(repeating: "a", count: 40), catalogItem: "u.ova"),
        build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .pool, catalog: "cse", tempVApp: "t",
                         cleanup: true, capture: true, storageProfile: nil),
        catalogItem: "k8s-u", diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
        master: .defaultMaster, node: .defaultNode, adminSSHKey: nil, rootPassword: .environment("PW"))

    func send(_ method: String, _ path: String, token: String?, body: Any? = nil, id: String = UUID().uuidString,
              query: [String: String] = [:], mayBeRepeat: Bool = true) async -> (status: Int, json: Any?) {
        let data = body.map { try! JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var headers = ["accept": "application/*+json;version=30.0"]
        if let token { headers["x-vcloud-authorization"] = token }
        let reply = await api.handle(ExtensionRequest(id: id, method: method, path: path, query: query, headers: headers, body: data),
                                     mayBeRepeat: mayBeRepeat)
        return (reply.status, try? JSONSerialization.jsonObject(with: Data(reply.body.utf8), options: .fragmentsAllowed))
    }

    /// vcd-cli 19's create body: every field, unset ones null, cpu and memory as strings.
    static func createBody(_ name: String, nodes: Int = 2, vdc: String? = "org1-vdc", cpu: String? = nil, memory: String? = nil) -> [String: Any] {
        ["name": name, "node_count": nodes, "vdc": vdc ?? NSNull(), "network": "intranet", "cpu_count": cpu ?? NSNull(),
         "memory": memory ?? NSNull(), "storage_profile": NSNull(), "ssh_key": NSNull()]
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}
