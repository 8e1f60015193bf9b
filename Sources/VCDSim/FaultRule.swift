import Foundation

/// A fault to inject, in the spirit of vcsim's: what happens, where, how often, and how many times.
public struct FaultRule: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Adds `latencyMs` (+ up to `jitterMs`) before answering.
        case latency
        /// Answers with HTTP `status` (default 500) and a vCD Error document.
        case httpError = "http_error"
        /// Drops the connection without an answer.
        case reset
        /// The change's task ends in `error`.
        case taskFailure = "task_failure"
        /// Refuses the change with 400 BUSY_ENTITY.
        case busyEntity = "busy_entity"
        /// Every session expires now: the next request with an old token gets 401.
        case sessionExpiry = "session_expiry"
        /// A VM power-on task fails.
        case powerOnFailure = "power_on_failure"
        /// A guest's bootstrap fails in `phase` (or the first phase) with `reason`; with `silent` it never reports.
        case guestFailure = "guest_failure"
    }

    public var kind: Kind
    /// Request method and path pattern (`*` matches one path segment, `**` the rest), or an operation name
    /// such as `vdcComposeVapp`, `vappRecompose`, `vmPowerOn`; nil matches everything.
    public var match: String?
    /// Chance per matching request, 0...1 (default 1).
    public var probability: Double?
    /// Let this many matching requests through first.
    public var skip: Int?
    /// Fire at most this many times.
    public var max: Int?
    public var status: Int?
    public var latencyMs: Int?
    public var jitterMs: Int?
    /// Guest failure: the phase and reason, or a guest that never reports.
    public var phase: String?
    public var reason: String?
    public var silent: Bool?
    /// Guest failure: only guests of this role (template, master, node).
    public var role: String?

    public init(kind: Kind, match: String? = nil, probability: Double? = nil, skip: Int? = nil, max: Int? = nil, status: Int? = nil,
                latencyMs: Int? = nil, jitterMs: Int? = nil, phase: String? = nil, reason: String? = nil, silent: Bool? = nil, role: String? = nil) {
        self.kind = kind
        self.match = match
        self.probability = probability
        self.skip = skip
        self.max = max
        self.status = status
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.phase = phase
        self.reason = reason
        self.silent = silent
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case kind, match, probability, skip, max, status, phase, reason, silent, role
        case latencyMs = "latency_ms", jitterMs = "jitter_ms"
    }

    /// Whether the rule's pattern names this request (`GET /api/vApp/*`) or this operation.
    func matches(method: String, path: String, operation: String?) -> Bool {
        guard let match, !match.isEmpty else { return true }
        if let operation, match == operation { return true }
        let parts = match.split(separator: " ", maxSplits: 1).map(String.init)
        let (wantedMethod, pattern) = parts.count == 2 ? (parts[0].uppercased(), parts[1]) : (nil, parts[0])
        if let wantedMethod, wantedMethod != method { return false }
        return Self.pathMatches(pattern: pattern.split(separator: "/").map(String.init), path: path.split(separator: "/").map(String.init))
    }

    static func pathMatches(pattern: [String], path: [String]) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" { return true }
        guard let segment = path.first else { return false }
        if head != "*" && head != segment {
            // A segment pattern like `vapp-*`.
            guard head.hasSuffix("*"), segment.hasPrefix(head.dropLast()) else { return false }
        }
        return pathMatches(pattern: Array(pattern.dropFirst()), path: Array(path.dropFirst()))
    }
}

/// Fault rules with their counters and the seeded random source that decides probabilities.
struct FaultBook: Sendable {
    private(set) var rules: [FaultRule]
    private var seen: [Int]
    private var fired: [Int]
    private var random: SeededRandom

    init(rules: [FaultRule], seed: UInt64) {
        self.rules = rules
        seen = Array(repeating: 0, count: rules.count)
        fired = Array(repeating: 0, count: rules.count)
        random = SeededRandom(seed: seed)
    }

    mutating func replace(_ rules: [FaultRule], seed: UInt64?) {
        self.rules = rules
        seen = Array(repeating: 0, count: rules.count)
        fired = Array(repeating: 0, count: rules.count)
        if let seed { random = SeededRandom(seed: seed) }
    }

    /// The first rule of `kinds` that fires for this request or operation (counting skip/max/probability).
    mutating func fire(_ kinds: Set<FaultRule.Kind>, method: String, path: String, operation: String? = nil, role: String? = nil) -> FaultRule? {
        for index in rules.indices where kinds.contains(rules[index].kind) {
            let rule = rules[index]
            guard rule.matches(method: method, path: path, operation: operation) else { continue }
            if let wantedRole = rule.role, wantedRole != role { continue }
            seen[index] += 1
            if let skip = rule.skip, seen[index] <= skip { continue }
            if let max = rule.max, fired[index] >= max { continue }
            if let probability = rule.probability, random.nextDouble() >= probability { continue }
            fired[index] += 1
            return rule
        }
        return nil
    }

    func summary() -> [[String: Any]] {
        rules.indices.map { ["kind": rules[$0].kind.rawValue, "match": rules[$0].match ?? "*", "seen": seen[$0], "fired": fired[$0]] }
    }

    mutating func jitter(upTo milliseconds: Int) -> Int {
        milliseconds > 0 ? Int(random.next() % UInt64(milliseconds + 1)) : 0
    }
}

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
public struct SeededRandom: Sendable, RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func hex(_ count: Int) -> String {
        var out = ""
        while out.count < count { out += String(format: "%016llx", next()) }
        return String(out.prefix(count))
    }
}
