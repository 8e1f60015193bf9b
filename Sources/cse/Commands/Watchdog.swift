import Foundation

/// The last word on `--timeout`: a thread of its own (not Swift's cooperative pool, which a stuck task could hold)
/// that ends the process with exit code 3 when a command is still running a grace period after its deadline. The
/// command's own deadline handling normally answers first; this makes sure no command outlives it silently.
enum Watchdog {
    static func arm(timeout: Int, command: String) {
        // Long enough for the command's own timeout handling to answer first; short beside the timeout itself.
        let grace = min(30, max(5, timeout / 4))
        let limit = Double(timeout + grace)
        let thread = Thread {
            Thread.sleep(forTimeInterval: limit)
            fflush(nil)
            FileHandle.standardError.write(Data("""
                cse: \(command) is still running \(grace) s after its --timeout of \(timeout) s (a vCD call or wait did \
                not return); stopping with exit code 3. `cse describe` shows where each object stands.\n
                """.utf8))
            exit(3)
        }
        thread.name = "cse-watchdog"
        thread.start()
    }
}
