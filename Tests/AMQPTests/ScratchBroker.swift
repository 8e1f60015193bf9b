import Foundation
import TestSupport

/// A RabbitMQ of the test's own (scripts/rabbitmq on a free port), which it may stop and restart.
struct ScratchBroker: Sendable {
    let directory: URL
    let port: Int
    /// Extra rabbitmq.conf lines (e.g. a TLS listener), or nil.
    let config: String?

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/rabbitmq")
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/lib/rabbitmq/bin/rabbitmq-server")
            && FileManager.default.fileExists(atPath: script.path)
    }

    /// A free port from 5673 up (its distribution port, 20000 higher, free too).
    static func freePort(in range: ClosedRange<Int> = 5673...5699) -> Int? {
        range.first { !isListening($0) && !isListening($0 + 20000) }
    }

    init(port: Int, config: String? = nil) {
        self.port = port
        self.config = config
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-rabbitmq-\(port)-\(UUID().uuidString.prefix(8))")
    }

    func start() async throws { try await run("start") }
    func stop() async throws { try await run("stop") }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the script without blocking a thread of the concurrency pool (the service under test needs them).
    /// Spawned directly rather than with Foundation's Process: the broker the script leaves running must not
    /// inherit the test process's signal mask (the script stops it with SIGTERM) nor any of its descriptors.
    private func run(_ command: String) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("script-\(command).log")
        let arguments = ["/bin/bash", Self.script.path, command, directory.path]
        var extra = ["CSE_RABBITMQ_PORT": String(port)]
        if let config {
            let file = directory.appendingPathComponent("rabbitmq.conf")
            try config.write(to: file, atomically: true, encoding: .utf8)
            extra["CSE_RABBITMQ_CONFIG"] = file.path
        }
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let script = try SpawnedCommand(executable: arguments[0], arguments: Array(arguments.dropFirst()),
                                        workingDirectory: FileManager.default.currentDirectoryPath, environment: environment, output: log.path)
        let status = await script.exitStatus()
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failure(description: "scripts/rabbitmq \(command) on port \(port) failed (\(status)): \(text)")
        }
    }

    static func isListening(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
