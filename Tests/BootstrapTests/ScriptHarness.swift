import Foundation

/// Runs a generated script for real under bash, as an ordinary user: stub programs first on PATH and every path the
/// script writes moved into a temporary directory through its override variable.
struct ScriptHarness {
    let directory: URL

    struct Run {
        let exitCode: Int32
        /// Each stub call: program name and arguments, space-separated.
        let calls: [String]
        /// Each guestinfo key set, in order.
        let guestinfo: [(key: String, value: String)]
        let log: String
        let console: String

        var keys: [String] { guestinfo.map(\.key) }
        /// The last value of each key, as vCD would show the VM's extra config.
        var extraConfig: [String: String] { Dictionary(guestinfo.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) }
        func calls(of program: String) -> [String] { calls.filter { $0 == program || $0.hasPrefix(program + " ") } }
        /// Index of the first call starting with `prefix`.
        func index(_ prefix: String) -> Int? { calls.firstIndex { $0.hasPrefix(prefix) } }
        /// Whether calls starting with these prefixes all happened, in this order.
        func inOrder(_ prefixes: [String]) -> Bool {
            var from = 0
            for prefix in prefixes {
                guard let found = calls[from...].firstIndex(where: { $0.hasPrefix(prefix) }) else { return false }
                from = found + 1
            }
            return true
        }
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-bootstrap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for name in Stubs.bodies.keys {
            try Self.writeExecutable(Stubs.script(for: name), to: bin.appendingPathComponent(name))
        }
        try Stubs.adminConf.write(to: directory.appendingPathComponent("admin.conf"), atomically: true, encoding: .utf8)
        try "0123456789abcdef\n".write(to: path("etc/machine-id"), atomically: true, encoding: .utf8)
        try "UUID=1234 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n".write(to: path("etc/fstab"), atomically: true, encoding: .utf8)
    }

    var bin: URL { directory.appendingPathComponent("bin") }

    /// Writes a stub program through a close-on-exec descriptor. Foundation's writes leave theirs inheritable, so a
    /// process another test spawned at that moment kept the stub open for writing for its whole life, and running the
    /// stub failed with ETXTBSY ("Text file busy").
    private static func writeExecutable(_ text: String, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
            written += count
        }
    }

    /// A harness whose guest already holds the template's CNI manifest (as a clone of a built template does).
    static func withManifest() throws -> ScriptHarness {
        let harness = try ScriptHarness()
        try Stubs.manifest.write(to: harness.path("var/lib/cse/cni.yaml"), atomically: true, encoding: .utf8)
        return harness
    }

    /// A file under the harness directory, its parent created.
    func path(_ relative: String) -> URL {
        let url = directory.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return url
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
    }

    var environment: [String: String] {
        [
            "PATH": "\(bin.path):/usr/bin:/bin",
            "HOME": directory.path,
            "HARNESS_DIR": directory.path,
            "CSE_KUBERNETES_DIR": path("etc/kubernetes/.keep").deletingLastPathComponent().path,
            "CSE_ROOT_HOME": path("root/.keep").deletingLastPathComponent().path,
            "CSE_MACHINE_ID_FILE": path("etc/machine-id").path,
            "CSE_DBUS_MACHINE_ID_FILE": path("var/lib/dbus/machine-id").path,
            "CSE_SYSTEMD_DIR": path("etc/systemd/system/.keep").deletingLastPathComponent().path,
            "CSE_APT_SOURCES_DIR": path("etc/apt/sources.list.d/.keep").deletingLastPathComponent().path,
            "CSE_BIN_DIR": path("usr/local/sbin/.keep").deletingLastPathComponent().path,
            "CSE_LOG_FILE": path("var/log/cse-bootstrap.log").path,
            "CSE_ETC_DIR": path("etc/.keep").deletingLastPathComponent().path,
            "CSE_STATE_DIR": path("var/lib/cse/.keep").deletingLastPathComponent().path,
            "CSE_KEYRING_DIR": path("etc/apt/keyrings/.keep").deletingLastPathComponent().path,
            "CSE_YUM_REPOS_DIR": path("etc/yum.repos.d/.keep").deletingLastPathComponent().path,
            "HARNESS_MANIFEST": Stubs.manifest,
        ]
    }

    /// Writes `script` to a file and runs it with bash; `fail` makes the named stub (or "stub firstArgument") exit 1.
    func run(_ script: String, argument: String = "postcustomization", fail: String? = nil,
             extraEnvironment: [String: String] = [:]) throws -> Run {
        let file = path("script-\(UUID().uuidString).sh")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [file.path, argument]
        var environment = self.environment
        if let fail { environment["HARNESS_FAIL"] = fail }
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        let console = Pipe()
        process.standardOutput = console
        process.standardError = console
        try process.run()
        let output = console.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(exitCode: process.terminationStatus,
                   calls: lines(read("calls.log")),
                   guestinfo: lines(read("guestinfo.log")).map { line in
                       let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                       return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                   },
                   log: read("var/log/cse-bootstrap.log") ?? "",
                   console: String(decoding: output, as: UTF8.self))
    }

    /// Runs `shellcheck` on `script`; returns its findings (empty when clean).
    static func shellcheck(_ script: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cse-shellcheck-\(UUID().uuidString).sh")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["shellcheck", "--shell=bash", "--external-sources", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? text : "shellcheck exited \(process.terminationStatus)\n" + text
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func lines(_ text: String?) -> [String] {
        (text ?? "").split(separator: "\n").map(String.init)
    }
}
