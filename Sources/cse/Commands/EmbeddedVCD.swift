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
        let simulator = try Simulator(inventory: .default, options: options)
        // A port derived from the state folder keeps hrefs the same from one run to the next; any free port otherwise.
        let server: SimServer
        do {
            server = try await SimServer.start(simulator, port: stablePort(for: stateDirectory), logger: logger)
        } catch {
            server = try await SimServer.start(simulator, logger: logger)
        }
        let session = VCDSession(baseURL: server.baseURL, credentials: administrator, logger: logger)
        try await session.connect()
        let poll: Duration = .milliseconds(max(20, min(100, Int(options.taskSeconds * 500))))
        return VCDConnection(session: session, description: "the embedded vCD simulator (state in \(stateDirectory))", taskPollInterval: poll) {
            await session.logout()
            await server.stop()
        }
    }

    static func stablePort(for directory: String) -> Int {
        let path = URL(fileURLWithPath: directory).standardizedFileURL.path
        var hash: UInt32 = 2_166_136_261
        for byte in path.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return 20_000 + Int(hash % 20_000)
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
