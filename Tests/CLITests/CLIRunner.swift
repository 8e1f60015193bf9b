import Foundation
import TestSupport

/// Runs the built `cse` binary as a user would, in a scratch working directory.
struct CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let workingDirectory: URL

    init() throws {
        workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
    }

    /// The `cse` executable next to this test bundle in the build folder.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cse")
    }

    /// The repository root, from this source file's place.
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The test process's environment with the template root password the example specs reference.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["CSE_TEMPLATE_ROOT_PASSWORD": "cli-test-root"]) { $1 }
    }

    /// config.yaml for `cse run`: a store in state/, a resync too rare to matter, info logs in cse.log.
    func writeServiceConfig() throws {
        try write("""
            store:
              path: \(path("state/store.sqlite"))
            service:
              resync_interval: 600
              log_file: \(path("cse.log"))
              logging_level: info
            """, to: "config.yaml")
    }

    /// Runs cse in the working directory, or in `folder` below it.
    func run(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) throws -> Result {
        // Output goes to files outside the working directory (read after the exit, so no pipe can fill up).
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("cse-cli-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let stdoutPath = capture.appendingPathComponent("stdout").path, stderrPath = capture.appendingPathComponent("stderr").path
        let command = try SpawnedCommand(executable: Self.binary.path, arguments: arguments,
                                         workingDirectory: folder.map { workingDirectory.appendingPathComponent($0).path } ?? workingDirectory.path,
                                         environment: Self.environment.merging(environment) { $1 },
                                         stdout: stdoutPath, stderr: stderrPath)
        command.waitUntilExit()
        let stdout = (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data()
        let stderr = (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data()
        return Result(status: command.terminationReason == .exit ? command.terminationStatus : 128 + command.terminationStatus,
                      stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `run`, on a thread of its own: a test that hosts a simulator in-process must not block one of the few
    /// threads of Swift's cooperative pool (the simulator's actor needs them) while cse talks to that simulator.
    func detached(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result { try self.run(arguments, environment: environment, in: folder) })
            }.start()
        }
    }

    func write(_ text: String, to relativePath: String) throws {
        let url = workingDirectory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func path(_ relative: String) -> String { workingDirectory.appendingPathComponent(relative).path }

    func cleanUp() { try? FileManager.default.removeItem(at: workingDirectory) }
}
