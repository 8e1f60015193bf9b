import Foundation

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

    /// Runs cse in the working directory, or in `folder` below it.
    func run(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder.map { workingDirectory.appendingPathComponent($0) } ?? workingDirectory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a large output cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
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
