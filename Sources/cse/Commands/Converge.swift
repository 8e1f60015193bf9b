import Foundation
import Reconcile
import Spec
import Store

/// Drives reconcile passes until vCD matches desired state, printing progress: one plain line per action
/// event, plus (on a terminal) a status line that is rewritten in place.
struct Converge {
    enum Outcome { case converged, failed([String]), timedOut }

    let context: ReconcileContext
    let timeout: Duration
    let interactive = isatty(STDOUT_FILENO) == 1

    func run() async throws -> Outcome {
        let deadline = ContinuousClock.now + timeout
        let printer = ProgressPrinter(interactive: interactive)
        await context.reconciler.onEvent { event in printer.event(event) }
        var stuckPasses = 0
        while ContinuousClock.now < deadline {
            let report = try await context.reconciler.pass()
            let failures = report.plan.assessments.compactMap { key, assessment in
                assessment.phase == .failed ? "\(key): \(assessment.failure ?? assessment.message)" : nil
            }.sorted()
            let busy = report.inFlight > 0 || !report.started.isEmpty
            if report.plan.isEmpty && !busy && report.plan.assessments.values.allSatisfy({ $0.phase == .ready || $0.phase == .deleting }) {
                printer.clear()
                return .converged
            }
            // Failed objects are retried with back-off; give up when nothing else moves for a while.
            stuckPasses = !failures.isEmpty && !busy ? stuckPasses + 1 : 0
            if stuckPasses >= 3 {
                printer.clear()
                return .failed(failures)
            }
            printer.status(Self.summary(report))
            await context.reconciler.waitForChange(timeout: .seconds(2))
        }
        printer.clear()
        return .timedOut
    }

    static func summary(_ report: Reconciler.PassReport) -> String {
        let waiting = report.plan.assessments.filter { $0.value.phase != .ready }.map { "\($0.key.name): \($0.value.message)" }.sorted()
        return "\(report.inFlight) running; " + (waiting.first ?? "all ready")
    }
}

/// Prints progress; thread-safe because events arrive from the reconciler's tasks.
final class ProgressPrinter: Sendable {
    let interactive: Bool

    init(interactive: Bool) { self.interactive = interactive }

    func event(_ event: Reconciler.Event) {
        switch event {
        case .started(let action): line("\(action.change.symbol) \(action.object): \(action.target) (\(action.reason))")
        case .finished(let action, let message): line("  done \(action.object): \(message)")
        case .failed(let action, let error): line("  failed \(action.object): \(action.target): \(error)")
        }
    }

    func status(_ text: String) {
        guard interactive else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K… \(text.prefix(100))".utf8))
    }

    func clear() {
        if interactive { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func line(_ text: String) {
        FileHandle.standardOutput.write(Data(((interactive ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }
}
