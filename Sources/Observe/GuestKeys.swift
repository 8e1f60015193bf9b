import Bootstrap

/// Reads a guest's bootstrap progress from its guestinfo keys, as the guest contract defines them.
public enum GuestKeys {
    public static func progress(_ extraConfig: [String: String]) -> GuestProgress {
        switch GuestContract.report(extraConfig) {
        case .ready: return .ready
        case .failed(let phase, let reason): return .failed(phase: phase, reason: reason)
        case .running(let phase): return .running(phase: phase)
        case .notStarted: return .notStarted
        }
    }
}
