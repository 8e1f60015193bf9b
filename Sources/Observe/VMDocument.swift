import VCDClient

/// The parts of a vCD `Vm` document cse reads.
public struct VMDocument {
    var extraConfig: [String: String] = [:]
    var cpu: Int?
    var memoryMB: Int?
    var ipAddress: String?

    init(_ vm: XMLTree) {
        extraConfig = Self.extraConfig(of: vm)
        cpu = vm.path("VmSpecSection", "NumCpus").flatMap { Int($0.text) }
        memoryMB = vm.path("VmSpecSection", "MemoryResourceMb", "Configured").flatMap { Int($0.text) }
        let connections = vm.first("NetworkConnectionSection")?.all("NetworkConnection") ?? []
        ipAddress = connections.compactMap { $0.first("IpAddress")?.text }.first { !$0.isEmpty }
    }

    /// A VM's extra config (`vmw:ExtraConfig` key/value): where vCD shows what a guest set with `info-set guestinfo.*`.
    public static func extraConfig(of vm: XMLTree) -> [String: String] {
        var result: [String: String] = [:]
        for item in vm.descendants("ExtraConfig") {
            if let key = item["key"] { result[key] = item["value"] ?? "" }
        }
        return result
    }

    /// Query records spell power states as words, documents as vCD's numeric codes (4 on, 8 off).
    static func powerState(_ status: String?) -> ObservedVM.PowerState {
        switch status {
        case "POWERED_ON", "4": return .poweredOn
        case "POWERED_OFF", "8", "RESOLVED", "1": return .poweredOff
        case nil, "", "UNKNOWN", "6", "UNRECOGNIZED", "7": return .unknown
        default: return .other
        }
    }

    static func statusName(_ code: String?) -> String {
        switch code {
        case "4": return "POWERED_ON"
        case "8": return "POWERED_OFF"
        case "1": return "RESOLVED"
        default: return "UNKNOWN"
        }
    }
}
