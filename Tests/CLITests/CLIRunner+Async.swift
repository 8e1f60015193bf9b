import Dispatch
import Foundation
import TestSupport

extension CLIRunner {
    /// `run` on a thread of its own: a command that takes seconds (an apply that converges) must not hold one of the
    /// few threads of Swift's cooperative pool, which the other tests running in parallel need.
    func runOffPool(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try self.run(arguments, environment: environment) })
            }
        }
    }

    /// Waits for a started process to end, on a thread of its own.
    static func waitOffPool(_ process: SpawnedCommand) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// Waits for a `Process` to end, on a thread of its own.
    static func waitOffPool(_ process: Process) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}
