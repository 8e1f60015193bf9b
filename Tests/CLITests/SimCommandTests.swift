import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `cse sim --vcd-version`: the built binary plays the release asked for.
@Suite("cse sim release profiles")
struct SimCommandTests {
    @Test func anUnknownReleaseIsRefused() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let result = try await cli.runOffPool(["sim", "--listen", "127.0.0.1:0", "--vcd-version", "9.7"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--vcd-version must be one of 10.3, 10.4, 10.5, 10.6"))
    }

    @Test func vcd104OffersCloudapiLoginAndVcd106RefusesLegacyLogin() async throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        for release in ["10.4", "10.6"] {
            let log = cli.path("sim-\(release).log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = CLIRunner.binary
            process.arguments = ["sim", "--listen", "127.0.0.1:0", "--vcd-version", release]
            process.currentDirectoryURL = cli.workingDirectory
            process.environment = ProcessInfo.processInfo.environment
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            do {
                try await Self.check(release: release, log: log)
            } catch {
                process.terminate()
                await CLIRunner.waitOffPool(process)
                throw error
            }
            process.terminate()
            await CLIRunner.waitOffPool(process)
            try? output.close()
        }
    }

    /// What the simulator started for `release` answers (it printed its URL to `log`).
    static func check(release: String, log: String) async throws {
        let base = try await Self.waitForBaseURL(log: log)
        let versions = try await Self.send("GET", base + "/api/versions")
        let basicAdmin = "Basic " + Data("administrator@System:sim-admin".utf8).base64EncodedString()
        let legacy = try await Self.send("POST", base + "/api/sessions", headers: ["Authorization": "Basic " + Data("alice@org1:sim-alice".utf8).base64EncodedString()])
        let provider = try await Self.send("POST", base + "/cloudapi/1.0.0/sessions/provider", headers: ["Authorization": basicAdmin])
        #expect(provider.status == 200, "\(release)")
        #expect(provider.headers["x-vmware-vcloud-access-token"]?.isEmpty == false, "\(release)")
        if release == "10.4" {
            for version in ["36.0", "37.0"] {
                #expect(versions.body.contains("<Version>\(version)</Version><LoginUrl>\(base)/cloudapi/1.0.0/sessions</LoginUrl><ProviderLoginUrl>\(base)/cloudapi/1.0.0/sessions/provider</ProviderLoginUrl>"))
            }
            #expect(legacy.status == 200)
        } else {
            #expect(versions.body.contains("<Version>39.0</Version>"))
            #expect(legacy.status == 405)
        }
    }

    static func waitForBaseURL(log: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "cse sim: vCloud API at ") {
                let rest = text[range.upperBound...]
                if let end = rest.range(of: "/api ") { return String(rest[..<end.lowerBound]) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CLITestError("cse sim printed no URL within 120 s")
    }

    static func send(_ method: String, _ url: String, headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
    }
}

struct CLITestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
