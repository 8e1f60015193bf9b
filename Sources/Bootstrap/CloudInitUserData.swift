import Foundation

/// cse's script as cloud-init user data: a cloud-config that writes the script to a root-only file and runs it once
/// (`runcmd`), delivered the way CAPVCD delivers it, as the VM's extra config `guestinfo.userdata` (base64) with
/// `guestinfo.userdata.encoding = base64`, which cloud-init's VMware datasource reads (set before power-on).
public enum CloudInitUserData {
    public static let userDataKey = "guestinfo.userdata"
    public static let encodingKey = "guestinfo.userdata.encoding"
    /// Where the script lands on the guest.
    public static let scriptPath = "/var/lib/cse/bootstrap.sh"

    /// The cloud-config document.
    public static func cloudConfig(script: String) -> String {
        """
        #cloud-config
        \(script.split(separator: "\n", maxSplits: 2).dropFirst().first.map { String($0) } ?? "# cse")
        write_files:
        - path: \(scriptPath)
          owner: root:root
          permissions: '0700'
          encoding: b64
          content: \(Data(script.utf8).base64EncodedString())
        runcmd:
        - [/bin/bash, \(scriptPath)]

        """
    }

    /// The extra config entries that carry `script` to a cloud-init guest.
    public static func extraConfig(script: String) -> [(key: String, value: String)] {
        [(userDataKey, Data(cloudConfig(script: script).utf8).base64EncodedString()), (encodingKey, "base64")]
    }

    /// The extra config that removes a VM's user data once its guest has run it (and before a template build VM is
    /// captured, so clones do not inherit it): vCD removes an extra config key whose value is empty
    /// (go-vcloud-director's `VM.DeleteExtraConfig` sends the keys with empty values). Safe to repeat.
    public static let clearedExtraConfig: [(key: String, value: String)] = [(userDataKey, ""), (encodingKey, "")]

    /// Whether the VM's extra config still carries user data.
    public static func hasUserData(_ extraConfig: [String: String]) -> Bool {
        !(extraConfig[userDataKey] ?? "").isEmpty
    }

    /// The script inside user data (as the simulator's guest reads it); nil when there is none or it is malformed.
    public static func script(fromExtraConfig extraConfig: [String: String]) -> String? {
        guard let encoded = extraConfig[userDataKey], extraConfig[encodingKey] == "base64",
              let data = Data(base64Encoded: encoded), let document = String(data: data, encoding: .utf8),
              document.hasPrefix("#cloud-config\n") else { return nil }
        let lines = document.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.contains("- path: \(scriptPath)"),
              let content = lines.first(where: { $0.hasPrefix("content: ") })?.dropFirst("content: ".count),
              let scriptData = Data(base64Encoded: String(content)) else { return nil }
        return String(data: scriptData, encoding: .utf8)
    }
}
