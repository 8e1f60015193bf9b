import AMQPTransport
import Foundation
import TestSupport
import Testing
import VCDClient

/// `cse run` (the real binary, embedded simulator) with an amqp section on a RabbitMQ of the test's own and
/// `service.http.listen`: `/readyz` follows the broker, `/healthz` the process, `/metrics` the tenant requests.
@Suite(.enabled(if: ScratchBroker.isAvailable, "RabbitMQ is not installed (.ci/install-packages): cannot start a broker to stop"))
struct ServiceReadinessTests {
    @Test(.timeLimit(.minutes(6)))
    func readyzTurns503WhileTheBrokerIsStoppedAnd200WhenItIsBack() async throws {
        // A range of its own: the other scratch-broker tests run at the same time and pick from theirs.
        let brokerPort = try #require(ScratchBroker.freePort(in: 5710...5739), "no free port in 5710...5739 for a RabbitMQ of its own")
        let broker = ScratchBroker(port: brokerPort)
        defer { broker.remove() }
        try await broker.start()
        var brokerRunning = true
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cse-readyz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("state/sim"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let httpPort = try #require(CSEService.freePort())
        let exchange = AMQPTestBroker.unique("ext"), routingKey = AMQPTestBroker.unique("cse")
        try """
            amqp:
              host: 127.0.0.1
              port: \(brokerPort)
              username: guest
              password: {env: CSE_TEST_BROKER_PASSWORD}
              exchange: \(exchange)
              routing_key: \(routingKey)
            store:
              path: state/store.sqlite
            service:
              listeners: 2
              log_file: cse.log
              http:
                listen: 127.0.0.1:\(httpPort)
            """.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let service = try CSEService(["run", "config.yaml"], in: folder.path, environment: ["CSE_TEST_BROKER_PASSWORD": "guest"])
        let base = "http://127.0.0.1:\(httpPort)"
        do {
            let ready = try await CSEService.eventually(base + "/readyz") { $0.status == 200 }
            #expect(Self.components(ready) == ["store": "ok", "vcd": "ok", "amqp": "ok"])

            // A tenant request through the broker (its token is not one vCD knows): answered, and counted by status.
            let vcd = try await FakeVCD.connect(AMQPURL(host: "127.0.0.1", port: brokerPort),
                                                serving: AMQPTopology(exchange: exchange, queue: routingKey, routingKey: routingKey))
            try await vcd.send("GET", "/api/template", token: "not-a-session")
            let reply = try #require(try await vcd.nextReply(timeout: .seconds(30)), "cse run did not answer the request")
            await vcd.close()
            _ = try await CSEService.eventually(base + "/metrics") {
                $0.text.contains(#"cse_tenant_requests_total{method="GET",status="\#(reply.status)"} 1"#)
                    && $0.text.contains(#"cse_tenant_request_duration_seconds_count{method="GET"} 1"#)
            }

            try await broker.stop()
            brokerRunning = false
            let notReady = try await CSEService.eventually(base + "/readyz") { $0.status == 503 }
            let components = Self.components(notReady)
            #expect(components["amqp"]?.contains("not connected to the broker") == true, "\(components)")
            #expect(components["store"] == "ok" && components["vcd"] == "ok")
            #expect(try await CSEService.get(base + "/healthz")?.status == 200, "the process is alive while the broker is away")

            try await broker.start()
            brokerRunning = true
            let back = try await CSEService.eventually(base + "/readyz", timeout: .seconds(150)) { $0.status == 200 }
            #expect(Self.components(back)["amqp"] == "ok")
        } catch {
            service.kill(SIGKILL)
            if brokerRunning { try? await broker.stop() }
            throw error
        }
        let status = await service.stop()
        #expect(status == 0, "cse run did not stop cleanly on SIGTERM")
        try await broker.stop()
    }

    private static func components(_ response: HTTPResponse) -> [String: String] {
        let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return object?["components"] as? [String: String] ?? [:]
    }
}

/// The built `cse` binary, started with posix_spawn (as the CLI tests do): no descriptor of the test process, an
/// empty signal mask, output to `cse.out` in its folder.
final class CSEService: Sendable {
    let command: SpawnedCommand

    static let client = CurlHTTPClient(options: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(10)))
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cse").path
    }

    init(_ arguments: [String], in folder: String, environment: [String: String]) throws {
        command = try SpawnedCommand(executable: Self.binary, arguments: arguments, workingDirectory: folder,
                                     environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, output: folder + "/cse.out")
    }

    var pid: pid_t { command.processIdentifier }

    func kill(_ signal: Int32) { _ = Foundation.kill(pid, signal) }

    /// SIGTERM, then the exit status (waited for on a thread of its own; 128+N for a signal).
    func stop() async -> Int32 {
        kill(SIGTERM)
        return await command.exitStatus()
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0, then closed).
    static func freePort() -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    static func get(_ url: String) async throws -> HTTPResponse? {
        try? await client.send(HTTPRequest(method: "GET", url: url))
    }

    /// GETs `url` until `condition` holds for the answer (connection failures count as not yet).
    static func eventually(_ url: String, timeout: Duration = .seconds(90), _ condition: (HTTPResponse) -> Bool) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while ContinuousClock.now < deadline {
            if let response = try await get(url) {
                if condition(response) { return response }
                last = "HTTP \(response.status): \(response.text.prefix(300))"
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CSEServiceError(description: "GET \(url): condition not met within \(timeout); last: \(last)")
    }
}

struct CSEServiceError: Error, CustomStringConvertible {
    var description: String
}
