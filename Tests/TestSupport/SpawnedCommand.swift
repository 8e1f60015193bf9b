import Foundation

/// A command started with posix_spawn: the tests run, start, signal and wait for cse (and the scratch broker's script)
/// with it instead of Foundation's `Process`, whose `run()` crashed the test process (a bad read in its memcpy) when the
/// suite ran in parallel. The child gets /dev/null for its standard streams, an empty
/// signal mask, default signal actions and no descriptor of the test process but those three.
public final class SpawnedCommand: @unchecked Sendable {
    public enum TerminationReason: Equatable, Sendable { case exit, uncaughtSignal }

    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// `output`: a file that gets stdout and stderr (created or truncated); nil discards them.
    public convenience init(executable: String, arguments: [String], workingDirectory: String, environment: [String: String], output: String? = nil) throws {
        try self.init(executable: executable, arguments: arguments, workingDirectory: workingDirectory, environment: environment,
                      stdout: output, stderr: output)
    }

    /// `stdout`, `stderr`: files that get each stream (created or truncated; the same path takes both); nil discards it.
    public init(executable: String, arguments: [String], workingDirectory: String, environment: [String: String], stdout: String?, stderr: String?) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if stderr != nil && stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        let inherited = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap(Int32.init).filter { $0 > 2 }
        for descriptor in inherited where fcntl(descriptor, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        // env(1) changes directory and execs the command in the same process (posix_spawn's addchdir is not imported).
        let argv = (["/usr/bin/env", "-C", workingDirectory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot run \(executable): \(String(cString: strerror(spawned)))"])
        }
        processIdentifier = pid
    }

    public var isRunning: Bool {
        lock.withLock {
            guard waitStatus == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(processIdentifier, &status, WNOHANG)
            if result == processIdentifier { waitStatus = status }
            return result == 0
        }
    }

    /// Blocks until the command ends (use `CLIRunner.waitOffPool` from async code), at most `limit`: then it is killed
    /// (SIGKILL, so it ends as killed by signal 9 and the test fails on its status) rather than holding the test run
    /// until CI gives up.
    public func waitUntilExit(limit: Duration = .seconds(600)) {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            if ContinuousClock.now >= deadline {
                kill(processIdentifier, SIGKILL)
                lock.withLock {
                    guard waitStatus == nil else { return }
                    var status: Int32 = 0
                    while waitpid(processIdentifier, &status, 0) == -1 && errno == EINTR {}
                    waitStatus = status
                }
                return
            }
            usleep(20_000)
        }
    }

    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
    public var terminationReason: TerminationReason { (lock.withLock { waitStatus } ?? 0) & 0x7f == 0 ? .exit : .uncaughtSignal }
    public var terminationStatus: Int32 {
        let status = lock.withLock { waitStatus } ?? 0
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// Waits for the command on a thread of its own (never on the concurrency pool, which the code under test needs)
    /// and returns its exit status as a shell gives it: the code, or 128 + N for signal N.
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                self.waitUntilExit()
                continuation.resume(returning: self.terminationReason == .exit ? self.terminationStatus : 128 + self.terminationStatus)
            }
        }
    }
}
