import Foundation
import Logging
import Testing
import AMQPTransport
import ExtensionService
import Spec
import Store
import Synchronization
import TenantAPI

/// vCD stand-ins: tokens map to callers, tasks get numbered hrefs.
struct TokenCallers: CallerResolver {
    func caller(for request: ExtensionRequest) async throws -> Caller? {
        switch request.token {
        case "t-alice": return Caller(user: "alice", org: "org1", isSystemAdministrator: false)
        case "t-admin": return Caller(user: "administrator", org: "System", isSystemAdministrator: true)
        default: return nil
        }
    }
}

actor CountingTasks: TaskPublisher {
    private(set) var created = 0

    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String {
        created += 1
        return "https://vcd.example/api/task/\(created)"
    }
}

struct NoKubeconfig: KubeconfigSource {
    struct Unavailable: Error {}
    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String { throw Unavailable() }
}

/// Collects the service's events for assertions, in the order the service reports them.
final class EventLog: Sendable {
    private let recorded = Mutex<[ExtensionServiceEvent]>([])

    func append(_ event: ExtensionServiceEvent) { recorded.withLock { $0.append(event) } }

    var events: [ExtensionServiceEvent] { recorded.withLock { $0 } }
    var acknowledged: [String] { events.compactMap { if case .acknowledged(let id) = $0 { id } else { nil } } }
    var committed: [String] { events.compactMap { if case .committed(let id) = $0 { id } else { nil } } }
    var rejected: Int { events.filter { if case .rejected = $0 { true } else { false } }.count }
}

/// A store with one template, ClusterAPI over it with fake vCD services, and an ExtensionService on a
/// topology of its own (unique exchange and queue names).
final class ServiceHarness: Sendable {
    let directory: URL
    let store: DesiredStateStore
    let tasks = CountingTasks()
    let api: ClusterAPI
    let topology: AMQPTopology
    let url: AMQPURL
    let events = EventLog()

    init(url: AMQPURL) throws {
        self.url = url
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-amqp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path)
        try store.put(.template(Self.template), owner: .admin)
        api = ClusterAPI(store: store, callers: TokenCallers(), tasks: tasks, kubeconfigs: NoKubeconfig(), logger: Self.quietLogger)
        topology = AMQPTopology(exchange: AMQPTestBroker.unique("ext"), queue: AMQPTestBroker.unique("cse"), prefetch: 8)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "cse.test")
        logger.logLevel = .critical
        return logger
    }

    /// A service running in a task, and its session (to see how often it connected).
    struct RunningService {
        let task: Task<Void, any Error>
        let session: AMQPConsumerSession
        func cancel() { task.cancel() }
    }

    /// Starts the service in a task; cancel it to stop it.
    func startService(inFlight: Int = 8, hooks: ExtensionService.Hooks = ExtensionService.Hooks(),
                      reconnect: ReconnectPolicy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .milliseconds(500))) -> RunningService {
        let session = AMQPConsumerSession(url: url, topology: topology, options: AMQPConnectionOptions(connectTimeout: .seconds(2)),
                                          reconnect: reconnect, logger: Self.quietLogger)
        let events = self.events
        let service = ExtensionService(session: session, api: api, logger: Self.quietLogger, pollInterval: .milliseconds(100), inFlight: inFlight, hooks: hooks,
                                       events: { event in events.append(event) })
        return RunningService(task: Task { try await service.run() }, session: session)
    }

    func clusters() throws -> [StoredObject] { try store.objects(kind: .cluster) }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    static let template = TemplateSpec(
        name: "ubuntu-16.04", labels: [], os: OperatingSystem(family: .ubuntu, version: "16.04"),
        source: OVASource(url: "https://example.com/u.ova", sha1: String(repeating: "a", count: 40), catalogItem: "u.ova"),
        build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .pool, catalog: "cse", tempVApp: "t",
                         cleanup: true, capture: true, storageProfile: nil),
        catalogItem: "k8s-u", diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
        master: .defaultMaster, node: .defaultNode, adminSSHKey: nil, rootPassword: .environment("PW"))
}

/// The vCD side: publishes forwarded HTTP requests the way vCD does and reads the replies.
struct FakeVCD {
    let connection: AMQPConnection
    let replyExchange: String
    let replyQueue: String
    let topology: AMQPTopology

    /// Also declares the service's queue, so nothing published before the service connects is dropped.
    static func connect(_ url: AMQPURL, serving topology: AMQPTopology) async throws -> FakeVCD {
        let connection = try await AMQPConnection.connect(to: url)
        try await connection.declareExchange(topology.exchange)
        try await connection.declareQueue(topology.queue)
        try await connection.bindQueue(topology.queue, exchange: topology.exchange, routingKey: topology.routingKey)
        let replyExchange = AMQPTestBroker.unique("vcd-reply")
        let replyQueue = AMQPTestBroker.unique("vcd-replies")
        try await connection.declareExchange(replyExchange)
        try await connection.declareQueue(replyQueue, durable: false)
        try await connection.bindQueue(replyQueue, exchange: replyExchange, routingKey: replyQueue)
        try await connection.consume(queue: replyQueue)
        return FakeVCD(connection: connection, replyExchange: replyExchange, replyQueue: replyQueue, topology: topology)
    }

    /// Publishes a raw message body with vCD's properties; returns its correlation id.
    @discardableResult
    func publish(_ body: Data, correlationID: String = UUID().uuidString, withReplyAddress: Bool = true) async throws -> String {
        let properties = AMQPProperties(correlationID: correlationID, replyTo: withReplyAddress ? replyQueue : nil, persistent: true,
                                        headers: withReplyAddress ? ["replyToExchange": replyExchange, "messageType": "ProcessHttpRequest"] : [:])
        try await connection.publish(exchange: topology.exchange, routingKey: topology.routingKey, body: body, properties: properties)
        return correlationID
    }

    @discardableResult
    func send(_ method: String, _ path: String, token: String? = "t-alice", body: Any? = nil, id: String = UUID().uuidString) async throws -> String {
        try await publish(Self.request(method, path, token: token, body: body, id: id))
    }

    /// The next reply, decoded; nil if none arrives within `timeout`.
    func nextReply(timeout: Duration = .seconds(10)) async throws -> Reply? {
        guard let delivery = try await connection.receive(timeout: timeout) else { return nil }
        try await connection.ack(delivery)
        let message = try #require(try JSONSerialization.jsonObject(with: delivery.body) as? [String: Any])
        let body = Data(base64Encoded: message["body"] as? String ?? "") ?? Data()
        return Reply(correlationID: delivery.properties.correlationID, id: message["id"] as? String, status: message["statusCode"] as? Int ?? -1,
                     body: body, isRequest: message["request"] as? Bool ?? true)
    }

    func close() async {
        try? await connection.deleteQueue(topology.queue)
        try? await connection.deleteExchange(topology.exchange)
        try? await connection.deleteQueue(replyQueue)
        try? await connection.deleteExchange(replyExchange)
        await connection.close()
    }

    struct Reply {
        var correlationID: String?
        var id: String?
        var status: Int
        var body: Data
        var isRequest: Bool
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed) }
    }

    /// A forwarded request as vCD sends it: `[request, securityContext]`, the HTTP body in base64.
    static func request(_ method: String, _ path: String, token: String?, body: Any?, id: String) -> Data {
        var headers = ["Accept": "application/*+json;version=30.0"]
        if let token { headers["x-vcloud-authorization"] = token }
        let bodyData = body.map { try! JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let request: [String: Any] = ["id": id, "method": method, "requestUri": path, "queryString": NSNull(), "headers": headers,
                                      "body": bodyData.base64EncodedString(), "request": true, "scheme": "https", "protocol": "HTTP/1.1"]
        return try! JSONSerialization.data(withJSONObject: [request, ["user": "urn:vcloud:user:1", "org": "urn:vcloud:org:1", "rights": []]])
    }

    static func createBody(_ name: String, nodes: Int = 2) -> [String: Any] {
        ["name": name, "node_count": nodes, "vdc": "org1-vdc", "network": "intranet", "cpu_count": NSNull(),
         "memory": NSNull(), "storage_profile": NSNull(), "ssh_key": NSNull()]
    }
}
