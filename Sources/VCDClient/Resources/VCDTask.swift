import Foundation

/// A vCD Task: every change in vCD runs as one.
public struct VCDTask: Sendable, Equatable {
    public enum Status: String, Sendable {
        case queued, preRunning, running, success, error, canceled, aborted

        public var isFinished: Bool { [.success, .error, .canceled, .aborted].contains(self) }
    }

    public var href: String
    public var status: Status
    public var operation: String
    public var operationName: String
    public var progress: Int?
    public var errorMessage: String?
    public var ownerHref: String?

    public init(_ tree: XMLTree) throws {
        guard tree.name == "Task", let href = tree["href"] else {
            throw VCDError(status: 0, message: "expected a Task, got \(tree.name)", request: "task")
        }
        self.href = href
        // Unknown statuses are treated as still running; pyvcloud 18 even used others ("pending", "pre-running").
        status = Status(rawValue: tree["status"] ?? "") ?? .running
        operation = tree["operation"] ?? ""
        operationName = tree["operationName"] ?? ""
        progress = tree.first("Progress").flatMap { Int($0.text) }
        errorMessage = tree.first("Error")?["message"]
        ownerHref = tree.first("Owner")?["href"]
    }
}

public enum TaskWaitError: Error, CustomStringConvertible, Equatable {
    case failed(operation: String, status: String, message: String)
    case timedOut(operation: String, after: Duration)

    public var description: String {
        switch self {
        case .failed(let operation, let status, let message): return "task '\(operation)' \(status): \(message)"
        case .timedOut(let operation, let after): return "task '\(operation)' still running after \(after)"
        }
    }
}

extension VCDSession {
    public func task(_ href: String) async throws -> VCDTask {
        try VCDTask(try await get(href))
    }

    /// Polls a task until it ends. Unlike pyvcloud's, the timeout fires. The first poll comes after `pollInterval`,
    /// each next one half as long again later, up to `maxPollInterval` (at least `pollInterval`): a short task is seen
    /// ending soon, a long one costs few calls (a task is seen done at most half its running time late).
    @discardableResult
    public func wait(for task: VCDTask, timeout: Duration = .seconds(600), pollInterval: Duration = .seconds(2)) async throws -> VCDTask {
        try await wait(for: task, timeout: timeout, pollInterval: pollInterval, maxPollInterval: .seconds(5))
    }

    @discardableResult
    public func wait(for task: VCDTask, timeout: Duration, pollInterval: Duration, maxPollInterval: Duration) async throws -> VCDTask {
        let deadline = ContinuousClock.now + timeout
        let longest = max(pollInterval, maxPollInterval)
        var interval = pollInterval
        var current = task
        while !current.status.isFinished {
            guard ContinuousClock.now < deadline else { throw TaskWaitError.timedOut(operation: current.operationName, after: timeout) }
            try await Task.sleep(for: min(interval, max(.zero, deadline - ContinuousClock.now)))
            interval = min(interval * 3 / 2, longest)
            current = try await self.task(current.href)
        }
        guard current.status == .success else {
            throw TaskWaitError.failed(operation: current.operationName, status: current.status.rawValue,
                                       message: current.errorMessage ?? "no message")
        }
        return current
    }
}
