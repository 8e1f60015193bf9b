import Foundation

/// How the simulated cloud behaves: timings, limits, fault rules, persistence.
public struct SimOptions: Sendable, Codable {
    /// How long a task runs before it ends (vCD's are seconds to minutes; tests want them short).
    public var taskSeconds: Double = 0.2
    /// Time from power-on until a guest starts its customization script.
    public var bootSeconds: Double = 0.3
    /// Time each bootstrap phase takes in an emulated guest.
    public var phaseSeconds: Double = 0.1
    /// Time from receiving an OVF descriptor until the template lists the files it references (vCD processes the
    /// descriptor first; clients poll for the list).
    public var uploadListSeconds: Double = 0.3
    /// Session lifetime; requests with an older token get 401.
    public var sessionSeconds: Double = 1800
    /// How long an extension request waits for the service's reply before 504.
    public var extensionTimeoutSeconds: Double = 10
    /// Seed of the random source behind fault rules, tokens and MAC addresses.
    public var seed: UInt64 = 1
    public var faults: [FaultRule] = []
    /// The vCD release played (`SimReleaseProfile`): 10.3, 10.4, 10.5 or 10.6.
    public var vcdVersion: String = SimReleaseProfile.default.release
    /// Where the state is saved after every change (nil: memory only).
    public var stateFile: String?
    /// vCD's XSDs (a vcd-api-schemas directory): every XML request body is validated against them, and an invalid
    /// one gets 400 as on vCD. Nil: `$CSE_SIM_SCHEMAS`, else no validation.
    public var schemasDirectory: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case taskSeconds = "task_seconds", bootSeconds = "boot_seconds", phaseSeconds = "phase_seconds"
        case uploadListSeconds = "upload_list_seconds"
        case sessionSeconds = "session_seconds", extensionTimeoutSeconds = "extension_timeout_seconds", seed, faults
        case vcdVersion = "vcd_version"
        case stateFile = "state_file", schemasDirectory = "schemas"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SimOptions()
        taskSeconds = try container.decodeIfPresent(Double.self, forKey: .taskSeconds) ?? defaults.taskSeconds
        bootSeconds = try container.decodeIfPresent(Double.self, forKey: .bootSeconds) ?? defaults.bootSeconds
        phaseSeconds = try container.decodeIfPresent(Double.self, forKey: .phaseSeconds) ?? defaults.phaseSeconds
        uploadListSeconds = try container.decodeIfPresent(Double.self, forKey: .uploadListSeconds) ?? defaults.uploadListSeconds
        sessionSeconds = try container.decodeIfPresent(Double.self, forKey: .sessionSeconds) ?? defaults.sessionSeconds
        extensionTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .extensionTimeoutSeconds) ?? defaults.extensionTimeoutSeconds
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        faults = try container.decodeIfPresent([FaultRule].self, forKey: .faults) ?? []
        stateFile = try container.decodeIfPresent(String.self, forKey: .stateFile)
        vcdVersion = try container.decodeIfPresent(String.self, forKey: .vcdVersion) ?? defaults.vcdVersion
        schemasDirectory = try container.decodeIfPresent(String.self, forKey: .schemasDirectory)
    }
}
