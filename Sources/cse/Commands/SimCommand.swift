import ArgumentParser
import Foundation
import Logging
import VCDSim
import Yams

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the vCloud Director simulator (the test bed and cse's embedded default).",
        discussion: """
            Serves the vCloud API (XML) on loopback as vCD 10.3, 10.4 (default), 10.5 or 10.6 would: /api/versions, \
            legacy and cloudapi (Bearer) logins, orgs, vdcs, networks with IP \
            pools, catalogs, vApps and VMs with async tasks, the query service, metadata, API extensions forwarded \
            over AMQP, and guests that play cse's bootstrap contract. /sim/counters, /sim/faults and /sim/inventory \
            are the simulator's own controls.
            """
    )

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:8443"

    @Option(help: "Inventory YAML (orgs, users, vdcs, networks, catalogs); default: the built-in one matching specs/.")
    var inventory: String?

    @Option(help: "Save the cloud's state to FILE after every change and load it on start.")
    var state: String?

    @Option(help: "Simulator settings YAML: task_seconds, boot_seconds, phase_seconds, session_seconds, extension_timeout_seconds, seed, faults, vcd_version.")
    var settings: String?

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this certificate (PEM, chain first); needs --tls-key.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The private key (PEM) of --tls-cert.")
    var tlsKey: String?

    @Option(help: "RabbitMQ URL for API extensions (amqp://user:pass@host:port).")
    var amqp: String?

    @Option(name: .customLong("vcd-version"), help: "The vCD release to play: 10.3 (API 36.0), 10.4 (37.0), 10.5 (38.0) or 10.6 (39.0); default 10.4, or the settings' vcd_version.")
    var vcdVersion: String?
    @Option(help: "vCD's XSDs (a vcd-api-schemas directory with all.xsd and catalog.xml): XML request bodies that do not validate get 400, as on vCD. Default: $CSE_SIM_SCHEMAS, else no validation.")
    var schemas: String?

    func run() async throws {
        var options = SimOptions()
        if let settings {
            do {
                options = try YAMLDecoder().decode(SimOptions.self, from: try String(contentsOfFile: settings, encoding: .utf8))
            } catch {
                throw ValidationError("settings \(settings): \(error)")
            }
        }
        if let state { options.stateFile = state }
        if let vcdVersion {
            guard SimReleaseProfile(release: vcdVersion) != nil else {
                throw ValidationError("--vcd-version must be one of \(SimReleaseProfile.all.map(\.release).joined(separator: ", ")), got '\(vcdVersion)'")
            }
            options.vcdVersion = vcdVersion
        }
        if let schemas { options.schemasDirectory = schemas }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be HOST:PORT, got '\(listen)'") }
        let cloud = try inventory.map(SimInventory.load(path:)) ?? .default
        let forwarder: (any ExtensionForwarder)? = try amqp.map { try AMQPForwarder.make(url: $0) }
        let simulator = try Simulator(inventory: cloud, options: options, forwarder: forwarder)
        let server = try await SimServer.start(simulator, host: String(parts[0]), port: port, tls: try tls())
        // Unbuffered: with `--listen 127.0.0.1:0` scripts read the port from this line while the server runs.
        FileHandle.standardOutput.write(Data("cse sim: vCloud API at \(server.baseURL)/api (\(simulator.profile); system administrator: administrator@System)\n".utf8))
        try await server.wait()
    }

    private func tls() throws -> SimTLS? {
        switch (tlsCert, tlsKey) {
        case let (cert?, key?): return SimTLS(certificateFile: cert, keyFile: key)
        case (nil, nil): return nil
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
    }
}
