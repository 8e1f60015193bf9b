import Foundation
import Logging
import Store

extension Reconciler {
    /// The service's loop (level-triggered, like a controller's): a pass whenever desired state changes (`changeToken`
    /// differs), an action ends, someone pokes, or `resync` passes with nothing happening — the last repairs drift
    /// made in vCD behind cse's back. Runs until the task is cancelled, or until the lease the reconciler works under
    /// is lost (a write was refused for a stale fencing token, or the lease ran out by this process's clock: the fence's
    /// `lostBecause` says which), after which the caller stops acting and waits for the lease again.
    /// While objects are still on their way (waiting on guests or on vCD) the loop comes back after `requeue`,
    /// as a controller requeues, rather than sleeping in a worker.
    /// The change token is read before the pass reads desired state: a change committed while the pass runs differs
    /// from it, and starts the next pass within a second.
    public func serve(resync: Duration, requeue: Duration = .seconds(1), changeToken: @escaping @Sendable () -> String?, logger: Logger) async {
        var failures = 0
        while !Task.isCancelled {
            if fence?.lostBecause != nil { return }
            var settled = true
            let token = changeToken()
            let started = ContinuousClock.now
            do {
                let report = try await pass()
                ReconcileMetrics.pass(ok: true, duration: ContinuousClock.now - started)
                failures = 0
                settled = report.plan.isEmpty && report.inFlight == 0
                    && report.plan.assessments.values.allSatisfy { $0.phase == .ready || $0.phase == .failed }
                if !report.started.isEmpty {
                    logger.info("pass: started \(report.started.count) action(s), \(report.inFlight) running, \(report.plan.actions.count) planned")
                }
            } catch is FencedWriteRefused {
                return
            } catch {
                ReconcileMetrics.pass(ok: false, duration: ContinuousClock.now - started)
                failures += 1
                logger.error("reconcile pass failed (\(failures) in a row): \(error)")
            }
            let interval = failures > 0 ? min(resync, .seconds(1 << min(failures, 6))) : (settled ? resync : requeue)
            let nextResync = ContinuousClock.now + interval
            while !Task.isCancelled && ContinuousClock.now < nextResync {
                if changeToken() != token { break }
                if await waitForChange(timeout: .seconds(1)) { break }
                if fence?.isHeld == false { break }
            }
        }
    }
}
