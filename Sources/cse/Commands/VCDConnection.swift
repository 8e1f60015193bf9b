import Foundation
import Logging
import Spec
import VCDClient

/// The vCD cse talks to: the one in config.yaml, or else the embedded simulator.
struct VCDConnection {
    let session: VCDSession
    let description: String
    /// How often to poll a running vCD task (vCD's take seconds; the simulator's a fraction of one).
    let taskPollInterval: Duration
    private let shutdown: @Sendable () async -> Void

    init(session: VCDSession, description: String, taskPollInterval: Duration = .seconds(2), shutdown: @escaping @Sendable () async -> Void) {
        self.session = session
        self.description = description
        self.taskPollInterval = taskPollInterval
        self.shutdown = shutdown
    }

    static func open(config: ServiceConfig, stateDirectory: String, logger: Logger) async throws -> VCDConnection {
        if let vcd = config.vcd {
            let password = try vcd.password.resolve()
            let http = CurlHTTPClient(options: .init(verifyTLS: vcd.verify, caBundle: vcd.caBundle), logger: logger)
            let session = VCDSession(baseURL: vcd.baseURL, credentials: Credentials(user: vcd.username, org: "System", password: password),
                                     apiVersion: vcd.apiVersion, http: http, logger: logger)
            try await session.connect()
            return VCDConnection(session: session, description: vcd.baseURL) { await session.logout() }
        }
        return try await EmbeddedVCD.open(stateDirectory: stateDirectory, logger: logger)
    }

    func close() async {
        await shutdown()
    }
}
