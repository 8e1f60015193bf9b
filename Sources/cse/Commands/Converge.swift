import Foundation
import Reconcile
import Spec
import Store

/// Drives reconcile passes until vCD matches desired state, printing progress: one plain line per action
/// event, plus (on a terminal) a status line that is rewritten in place.
struct Converge {
    let context: ReconcileContext
    let timeout: Duration
    let interactive = isatty(STDOUT_FILENO) == 1

    func run() async throws -> Reconciler.ConvergeOutcome {
        let printer = ProgressPrinter(interactive: interactive)
        await context.reconciler.onEvent { event in printer.event(event) }
        let outcome = try await context.reconciler.converge(timeout: timeout) { report in printer.status(Self.summary(report)) }
        printer.clear()
        return outcome
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
