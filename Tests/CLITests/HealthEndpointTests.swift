import Foundation
import TestSupport
import Testing
import VCDClient

/// `cse run` with `service.http.listen`: health, readiness and Prometheus metrics on its own port, against the
/// embedded simulator over real HTTP.
@Suite("cse run's metrics and health port")
struct HealthEndpointTests {
    @Test(.timeLimit(.minutes(5)))
    func metricsShowThePassActionsAndVCDCallsWithoutHrefsOrSecrets() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let port = try #require(HTTPPort.free())
        try cli.write("""
            store:
              path: \(cli.path("state/store.sqlite"))
            service:
              resync_interval: 600
              log_file: \(cli.path("cse.log"))
              http:
                listen: 127.0.0.1:\(port)
            """, to: "config.yaml")
        try cli.write("task_seconds: 0.05\nboot_seconds: 0.05\nphase_seconds: 0.02\n", to: "state/sim/settings.yaml")
        let service = try cli.start(["run", "config.yaml"], log: "run.out")
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"

        let health = try await HTTPPort.eventually(base + "/healthz") { $0.status == 200 }
        #expect(health.text.contains("alive"))
        // Ready once the lease is held and the store and vCD answer (no amqp section: no broker to wait for).
        let ready = try await HTTPPort.eventually(base + "/readyz") { $0.status == 200 }
        let readiness = try #require(try JSONSerialization.jsonObject(with: ready.body) as? [String: Any])
        #expect(readiness["ready"] as? Bool == true)
        #expect(readiness["components"] as? [String: String] == ["store": "ok", "vcd": "ok"])

        #expect(try cli.run(["sample-specs", cli.path("specs")]).status == 0)
        let apply = try cli.run(["apply", "specs/", "--no-wait", "--config", "config.yaml"])
        #expect(apply.status == 0, "\(apply.stderr)")
        // After the cluster is Ready and a pass has counted it.
        let metrics = try await HTTPPort.eventually(base + "/metrics", timeout: .seconds(180)) {
            $0.status == 200 && $0.text.contains(#"cse_objects{kind="cluster",phase="Ready"} 1"#)
        }
        #expect(metrics.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = metrics.text
        for series in [
            "# TYPE cse_reconcile_passes_total counter", #"cse_reconcile_passes_total{result="ok"} "#,
            "# TYPE cse_reconcile_pass_duration_seconds histogram", "cse_reconcile_pass_duration_seconds_bucket{le=\"+Inf\"} ",
            #"cse_reconcile_actions_total{kind="create_cluster_vapp",result="succeeded"} 1"#,
            #"cse_reconcile_actions_total{kind="add_vms",result="succeeded"} "#,
            "# TYPE cse_reconcile_queue_depth gauge", "cse_reconcile_actions_in_flight ",
            #"cse_objects{kind="template",phase="Ready"} 1"#, #"cse_objects{kind="cluster",phase="Failed"} 0"#,
            #"cse_vcd_requests_total{method="GET",route="/api/versions",status="200"} "#,
            #"cse_vcd_requests_total{method="GET",route="/api/vApp/{id}",status="200"} "#,
            #"cse_vcd_request_duration_seconds_count{method="GET",route="/api/vApp/{id}"} "#,
            "cse_store_commit_duration_seconds_count ", "cse_reconciler_lease_held 1",
        ] {
            #expect(text.contains(series), "missing \(series)")
        }
        // Routes are shapes: no id, no href, no host; no secret of the run.
        #expect(text.range(of: #"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, options: .regularExpression) == nil)
        #expect(!text.contains("http://") && !text.contains("https://"))
        #expect(!text.contains("cli-test-root"))
        let routes = Set(text.matches(of: #/route="([^"]*)"/#).map { String($0.1) })
        #expect(routes.contains("/api/query?type=adminVApp") || routes.contains { $0.hasPrefix("/api/query") })
        for route in routes {
            #expect(route.hasPrefix("/"), "route \(route) is not a path")
        }

        kill(service.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(service)
        #expect(service.terminationReason == .exit && service.terminationStatus == 0)
    }

    /// A vCD that stops answering (the simulator process stopped with SIGSTOP: connections open, nothing comes back)
    /// makes the service not ready within the check's bound; `/readyz` itself keeps answering, and so does `/healthz`.
    @Test(.timeLimit(.minutes(5)))
    func readyzAnswersInBoundedTimeWhenVCDStopsAnswering() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let cloud = try await OwnershipTests.startCloud(cli)
        defer { kill(cloud.process.processIdentifier, SIGCONT); kill(cloud.process.processIdentifier, SIGKILL) }
        let port = try #require(HTTPPort.free())
        try cli.write("""
            vcd:
              host: \(cloud.baseURL)
              username: administrator
              password: {env: CSE_TEST_VCD_PASSWORD}
              verify: false
            store:
              path: store.sqlite
            service:
              log_file: cse.log
              http:
                listen: 127.0.0.1:\(port)
            """, to: "config.yaml")
        let service = try SpawnedCommand(executable: CLIRunner.binary.path, arguments: ["run", "config.yaml"], workingDirectory: cli.workingDirectory.path,
                                         environment: CLIRunner.environment.merging(OwnershipTests.environment) { $1 }, output: cli.path("run.out"))
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"
        _ = try await HTTPPort.eventually(base + "/readyz") { $0.status == 200 }

        kill(cloud.process.processIdentifier, SIGSTOP)
        // Each answer comes within the check's 3 s bound (and the test client's 10 s), never after vCD's 60 s request timeout.
        let notReady = try await HTTPPort.eventually(base + "/readyz", timeout: .seconds(60)) { $0.status == 503 }
        let components = try #require(try JSONSerialization.jsonObject(with: notReady.body) as? [String: Any])["components"] as? [String: String]
        #expect(components?["vcd"]?.contains("no answer within") == true, "\(String(describing: components))")
        #expect(components?["store"] == "ok")
        let health = try await HTTPPort.client.send(HTTPRequest(method: "GET", url: base + "/healthz"))
        #expect(health.status == 200)

        kill(cloud.process.processIdentifier, SIGCONT)
        _ = try await HTTPPort.eventually(base + "/readyz", timeout: .seconds(120)) { $0.status == 200 }
        kill(service.processIdentifier, SIGTERM)
        await CLIRunner.waitOffPool(service)
        #expect(service.terminationReason == .exit && service.terminationStatus == 0)
        await cloud.stop()
    }

    @Test func aBadListenAddressIsRefusedWithItsPlace() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.write("service:\n  http:\n    listen: 127.0.0.1:99999\n", to: "config.yaml")
        let run = try cli.run(["run", "config.yaml"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("config.yaml:3:13"), "\(run.stderr)")
        #expect(run.stderr.contains("service.http.listen"))
    }
}

/// The test's side of the port: a free one, and GETs that wait for a condition.
enum HTTPPort {
    static let client = CurlHTTPClient(options: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(10)))

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0, then closed).
    static func free() -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// GETs `url` until `condition` holds for the answer (connection failures count as not yet).
    static func eventually(_ url: String, timeout: Duration = .seconds(90),
                           _ condition: (HTTPResponse) -> Bool) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while ContinuousClock.now < deadline {
            if let response = try? await client.send(HTTPRequest(method: "GET", url: url)) {
                if condition(response) { return response }
                last = "HTTP \(response.status): \(response.text.prefix(300))"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HTTPPortTimeout(description: "GET \(url): condition not met within \(timeout); last: \(last)")
    }
}

struct HTTPPortTimeout: Error, CustomStringConvertible {
    var description: String
}
