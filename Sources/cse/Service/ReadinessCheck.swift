import Foundation
import Synchronization

/// One thing `/readyz` asks about (the store, vCD): a probe run at most once at a time, its answer kept for
/// `freshFor`, and never waited on for longer than `timeout` — a probe that hangs makes the component not ready,
/// it never makes the endpoint hang, and repeated requests do not pile up probes behind it.
final class ReadinessCheck: Sendable {
    let name: String
    private let probe: @Sendable () async throws -> Void
    private let timeout: Duration
    private let freshFor: Duration
    private let state = Mutex(State())

    private struct State {
        var running: Task<String?, Never>?
        var last: (problem: String?, at: ContinuousClock.Instant)?
    }

    init(_ name: String, timeout: Duration = .seconds(3), freshFor: Duration = .seconds(1), probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.timeout = timeout
        self.freshFor = freshFor
        self.probe = probe
    }

    /// nil when ready, else what is wrong.
    func problem() async -> String? {
        let task: Task<String?, Never>? = state.withLock { state in
            if let running = state.running { return running }
            if let last = state.last, ContinuousClock.now - last.at < freshFor { return nil }
            let probe = self.probe
            let running = Task { [weak self] () -> String? in
                let problem: String?
                do {
                    try await probe()
                    problem = nil
                } catch {
                    problem = "\(error)"
                }
                self?.finished(problem)
                return problem
            }
            state.running = running
            return running
        }
        guard let task else { return state.withLock { $0.last?.problem } }
        return await Self.value(of: task, within: timeout) ?? "no answer within \(timeout)"
    }

    private func finished(_ problem: String?) {
        state.withLock { state in
            state.running = nil
            state.last = (problem, .now)
        }
    }

    /// The task's value, or nil when it has none after `limit` (the task goes on; nothing waits for it).
    static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration) async -> T? {
        let outcome = FirstAnswer<T?>()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            outcome.wait(continuation)
            Task { outcome.answer(await task.value) }
            Task {
                try? await Task.sleep(for: limit)
                outcome.answer(nil)
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later answers are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func wait(_ continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func answer(_ value: T) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
