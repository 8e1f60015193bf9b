/// Reads a guest's bootstrap progress from its guestinfo keys (the minimal contract until the
/// bootstrap module's full definition replaces it).
public enum GuestKeys {
    public static let status = "guestinfo.cse.bootstrap.status"
    public static let phase = "guestinfo.cse.bootstrap.phase"
    public static let reason = "guestinfo.cse.bootstrap.reason"

    public static func progress(_ extraConfig: [String: String]) -> GuestProgress {
        let phase = extraConfig[phase] ?? "boot"
        switch extraConfig[status] {
        case "done"?: return .ready
        case "failed"?: return .failed(phase: phase, reason: extraConfig[reason] ?? "no reason given")
        case "in_progress"?: return .running(phase: phase)
        default: return .notStarted
        }
    }
}
