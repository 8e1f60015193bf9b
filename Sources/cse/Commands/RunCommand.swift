import ArgumentParser
import Dispatch
import Foundation
import Logging
import Reconcile
import Spec

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the service: the reconcile loop (and, with an amqp section, tenant requests from vCD).",
        discussion: """
            Reconciles whenever desired state changes (cse apply, tenant requests), when an action ends, and every \
            service.resync_interval_seconds to repair drift. Logs to stderr and to service.log_file. SIGTERM or SIGINT: \
            stops starting work, lets running actions finish for up to --grace seconds, hands back the rest (every \
            action is safe to repeat) and exits 0.
            """
    )

    @Argument(help: "config.yaml (vcd, amqp, store, service); without a vcd section the embedded simulator is used.")
    var config: String?

    @Option(help: "Seconds to let running actions finish on shutdown.")
    var grace = 30

    @Flag(name: .shortAndLong, help: "Debug logging.")
    var verbose = false

    @OptionGroup var options: StoreOptions

    func run() async throws {
        var storeOptions = options
        if let config { storeOptions.config = config }
        let settings = try storeOptions.loadConfig().service
        let logger = CLILogging.logger(verbose: verbose, file: settings.logFile, level: settings.logLevel)
        let context = try await ReconcileContext.open(storeOptions: storeOptions, logger: logger)
        logger.info("cse \(CSEVersion.current) serving against \(context.connection.description); resync every \(settings.resyncIntervalSeconds) s")
        let store = context.store
        let loop = Task {
            await context.reconciler.serve(resync: .seconds(settings.resyncIntervalSeconds), changeToken: { try? store.changeToken() }, logger: logger)
        }
        let signal = await ShutdownSignal.wait()
        logger.notice("received \(signal); stopping")
        loop.cancel()
        await loop.value
        let handedBack = await context.reconciler.drain(timeout: .seconds(grace))
        if handedBack > 0 { logger.notice("handing back \(handedBack) running action(s); the next start resumes them") }
        await context.connection.close()
        logger.notice("stopped")
    }
}

/// Waits for SIGTERM or SIGINT (handled, not fatal, so shutdown can be orderly).
enum ShutdownSignal {
    static func wait() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let queue = DispatchQueue(label: "cse.signals")
            let resumed = Resumed()
            var sources: [any DispatchSourceSignal] = []
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    if resumed.claim() { continuation.resume(returning: name) }
                }
                source.resume()
                sources.append(source)
            }
            // The sources live as long as the process: shutdown follows.
            Retained.keep(sources)
        }
    }

    private final class Resumed: @unchecked Sendable {
        private var done = false
        private let lock = NSLock()
        func claim() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }

    private enum Retained {
        nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
        static func keep(_ sources: [any DispatchSourceSignal]) { self.sources += sources }
    }
}
