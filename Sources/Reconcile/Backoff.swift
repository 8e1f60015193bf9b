import Foundation

/// Per-object retry pacing: exponential with jitter, reset on success, so a failing object is retried
/// later instead of in a tight loop.
struct Backoff: Sendable {
    var base: Duration = .seconds(2)
    var max: Duration = .seconds(300)
    private var failures: [String: (count: Int, notBefore: ContinuousClock.Instant)] = [:]

    init(base: Duration = .seconds(2), max: Duration = .seconds(300)) {
        self.base = base
        self.max = max
    }

    func isReady(_ key: String, now: ContinuousClock.Instant) -> Bool {
        guard let entry = failures[key] else { return true }
        return now >= entry.notBefore
    }

    /// Earliest time something backed off becomes ready again.
    func nextReady(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        failures.values.map(\.notBefore).filter { $0 > now }.min()
    }

    mutating func failed(_ key: String, permanent: Bool, now: ContinuousClock.Instant) {
        let count = (failures[key]?.count ?? 0) + (permanent ? 4 : 1)
        let ceiling = min(max, base * (1 << min(count - 1, 16)))
        failures[key] = (count, now + ceiling * Double.random(in: 0.5...1.0))
    }

    mutating func succeeded(_ key: String) {
        failures[key] = nil
    }
}
