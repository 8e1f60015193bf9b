import Foundation
import Logging
import VCDClient
import VCDSim
import Yams

/// The in-process vCD simulator cse uses when config.yaml names no vCD. Its cloud lives in
/// `stateDirectory/state.json`, so clusters built by one command are there for the next.
enum EmbeddedVCD {
    static let administrator = Credentials(user: "administrator", org: "System", password: "sim-admin")

    static func open(stateDirectory: String, logger: Logger) async throws -> VCDConnection {
        var options = try settings(in: stateDirectory)
        options.stateFile = (stateDirectory as NSString).appendingPathComponent("state.json")
        let poll: Duration = .milliseconds(max(20, min(100, Int(options.taskSeconds * 500))))
        let preferred = stablePort(for: stateDirectory)
        let simulator = try Simulator(inventory: .default, options: options)
        // A port derived from the state folder keeps hrefs the same from one run to the next. When it is taken by
        // another cse process's simulator of the same cloud, that one is used (one cloud, one state); when it is taken
        // by anything else, any free port, and the user is told.
        let server: SimServer
        do {
            server = try await SimServer.start(simulator, port: preferred, logger: logger)
        } catch {
            let url = "http://127.0.0.1:\(preferred)"
            if await servesState(options.stateFile ?? "", at: url) {
                note("using the embedded vCD simulator of another cse process at \(url) (state in \(stateDirectory))")
                let session = VCDSession(baseURL: url, credentials: administrator, logger: logger)
                try await session.connect()
                return VCDConnection(session: session, description: "the embedded vCD simulator at \(url), served by another cse process",
                                     taskPollInterval: poll) { await session.logout() }
            }
            server = try await SimServer.start(simulator, logger: logger)
            note("port \(preferred) is taken; the embedded vCD simulator listens on \(server.baseURL)")
        }
        let session = VCDSession(baseURL: server.baseURL, credentials: administrator, logger: logger)
        try await session.connect()
        return VCDConnection(session: session, description: "the embedded vCD simulator (state in \(stateDirectory))", taskPollInterval: poll) {
            await session.logout()
            await server.stop()
        }
    }

    /// True when a cse simulator answers at `url` and keeps its state in `stateFile` (bounded: 5 s).
    static func servesState(_ stateFile: String, at url: String) async -> Bool {
        let http = CurlHTTPClient(options: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
        guard let response = try? await http.send(HTTPRequest(method: "GET", url: url + "/sim/state", headers: [], body: nil)),
              response.status == 200,
              let answer = try? JSONSerialization.jsonObject(with: response.body) as? [String: String] else { return false }
        return answer["stateFile"].map { URL(fileURLWithPath: $0).standardizedFileURL.path } == URL(fileURLWithPath: stateFile).standardizedFileURL.path
    }

    private static func note(_ text: String) {
        FileHandle.standardError.write(Data("cse: \(text)\n".utf8))
    }

    static func stablePort(for directory: String) -> Int {
        let path = URL(fileURLWithPath: directory).standardizedFileURL.path
        var hash: UInt32 = 2_166_136_261
        for byte in path.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        // Below Linux's ephemeral range (32768-60999), where outgoing connections would take it now and then; a port
        // that changes changes every href the store and the simulator's state keep.
        return 20_000 + Int(hash % 12_000)
    }

    /// Timings and fault rules for the embedded cloud, from `settings.yaml` beside its state (optional).
    static func settings(in stateDirectory: String) throws -> SimOptions {
        let path = (stateDirectory as NSString).appendingPathComponent("settings.yaml")
        guard FileManager.default.fileExists(atPath: path) else { return SimOptions() }
        do {
            return try YAMLDecoder().decode(SimOptions.self, from: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw SimSetupError("\(path): \(error)")
        }
    }
}
