/// Exponential backoff with jitter between reconnect attempts, so many consumers do not hit a restarted
/// broker in lockstep.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(10)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The pause after `failures` consecutive failed attempts (1 = the first failure): the exponential
    /// ceiling, of which a random half is kept ("equal jitter": never less than half the ceiling).
    public func delay(afterFailures failures: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        let initial = initialDelay.seconds
        let ceiling = min(maximumDelay.seconds, initial * pow2(max(0, failures - 1)))
        return .seconds(ceiling / 2 + random(0...1) * ceiling / 2)
    }

    private func pow2(_ exponent: Int) -> Double { exponent >= 62 ? Double.greatestFiniteMagnitude : Double(1 << exponent) }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
