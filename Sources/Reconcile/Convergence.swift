import Foundation

extension Reconciler {
    public enum ConvergeOutcome: Sendable, Equatable {
        case converged
        /// Objects that failed and kept failing while nothing else moved (`key: reason`).
        case failed([String])
        case timedOut
    }

    /// Runs passes until vCD matches desired state, an object keeps failing, or `timeout` passes.
    /// `progress` sees each pass's report (for a status line).
    public func converge(timeout: Duration, stuckPassesBeforeFailing: Int = 3, maxFailedPasses: Int = 6,
                         progress: @Sendable (PassReport) -> Void = { _ in }) async throws -> ConvergeOutcome {
        let deadline = ContinuousClock.now + timeout
        var stuckPasses = 0
        var failedPasses = 0
        while ContinuousClock.now < deadline {
            let report: PassReport
            do {
                report = try await pass()
                failedPasses = 0
            } catch {
                // Observation failed (vCD unreachable, 5xx after retries): try again, but not forever.
                failedPasses += 1
                if failedPasses >= maxFailedPasses { throw error }
                await waitForChange(timeout: .seconds(min(8, 1 << failedPasses) / 4))
                continue
            }
            let failures = report.plan.assessments.compactMap { key, assessment in
                assessment.phase == .failed ? "\(key): \(assessment.failure ?? assessment.message)" : nil
            }.sorted()
            let busy = report.inFlight > 0 || !report.started.isEmpty
            if report.plan.isEmpty && !busy && report.plan.assessments.values.allSatisfy({ $0.phase == .ready || $0.phase == .deleting }) {
                return .converged
            }
            // Failed objects are retried with back-off; give up when nothing else moves for a while.
            stuckPasses = !failures.isEmpty && !busy ? stuckPasses + 1 : 0
            if stuckPasses >= stuckPassesBeforeFailing { return .failed(failures) }
            progress(report)
            await waitForChange(timeout: .seconds(1))
        }
        return .timedOut
    }
}
