import Foundation
import Logging
import VCDClient
import VCDSim

/// The in-process vCD simulator cse uses when config.yaml names no vCD. Its cloud lives in
/// `stateDirectory/state.json`, so clusters built by one command are there for the next.
enum EmbeddedVCD {
    static let administrator = Credentials(user: "administrator", org: "System", password: "sim-admin")

    static func open(stateDirectory: String, logger: Logger) async throws -> VCDConnection {
        var options = SimOptions()
        options.stateFile = (stateDirectory as NSString).appendingPathComponent("state.json")
        let simulator = try Simulator(inventory: .default, options: options)
        let server = try await SimServer.start(simulator, logger: logger)
        let session = VCDSession(baseURL: server.baseURL, credentials: administrator, logger: logger)
        try await session.connect()
        return VCDConnection(session: session, description: "the embedded vCD simulator (state in \(stateDirectory))", taskPollInterval: .milliseconds(100)) {
            await session.logout()
            await server.stop()
        }
    }
}
