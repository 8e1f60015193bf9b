import AMQPTransport
import Foundation
import Synchronization

/// What `/readyz` answers: ready when every check passes (the store answers a read, vCD answers with the service's
/// session or a new login) and every AMQP consumer is connected to the broker (when an amqp section is configured).
/// Until the service has its store lease and vCD connection, it is not ready and says so.
final class Readiness: Sendable {
    private struct Parts: Sendable {
        var checks: [ReadinessCheck]
        var consumers: [AMQPConsumerSession]
    }

    private let parts = Mutex<Parts?>(nil)
    private let startingReason = Mutex("starting")

    /// The service is up: these are what readiness depends on from now on.
    func serving(checks: [ReadinessCheck], consumers: [AMQPConsumerSession]) {
        parts.withLock { $0 = Parts(checks: checks, consumers: consumers) }
    }

    /// Why the service is not serving yet (waiting for the store's lease, connecting to vCD).
    func starting(_ reason: String) {
        startingReason.withLock { $0 = reason }
    }

    /// Each component's state, "ok" or what is wrong; ready when all are "ok".
    func report() async -> (ready: Bool, components: [String: String]) {
        guard let parts = parts.withLock({ $0 }) else {
            return (false, ["service": startingReason.withLock { $0 }])
        }
        var components: [String: String] = [:]
        await withTaskGroup(of: (String, String?).self) { group in
            for check in parts.checks {
                group.addTask { (check.name, await check.problem()) }
            }
            for await (name, problem) in group { components[name] = problem ?? "ok" }
        }
        if !parts.consumers.isEmpty {
            let connected = parts.consumers.filter(\.isConnected).count
            components["amqp"] = connected == parts.consumers.count
                ? "ok" : "not connected to the broker (\(connected) of \(parts.consumers.count) consumers connected)"
        }
        return (components.values.allSatisfy { $0 == "ok" }, components)
    }
}
