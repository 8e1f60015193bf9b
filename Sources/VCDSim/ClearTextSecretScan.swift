import Foundation

/// Finds secrets left readable where other users of an org can see them: a VM's extra config (vCD shows it to anyone
/// who can read the VM) and metadata. A value counts when it, or its base64 decoding, holds a kubeconfig's
/// credentials, a kubeadm join token, a private key or a password assignment. Sealed values (`cse-sealed:`) are
/// ciphertext and never match.
enum ClearTextSecretScan {
    /// What kind of secret `value` shows in clear, if any.
    static func secret(in value: String) -> String? {
        for text in [value, decodedBase64(value)].compactMap({ $0 }) {
            if let kind = kind(of: text) { return kind }
        }
        return nil
    }

    private static func kind(of text: String) -> String? {
        if text.contains("client-key-data") || text.contains("client-certificate-data") || text.contains("\ntoken: ") || text.contains("    token: ") {
            return "kubeconfig credentials"
        }
        if text.range(of: #"--token\s+[a-z0-9]{6}\.[a-z0-9]{16}"#, options: .regularExpression) != nil {
            return "kubeadm join token"
        }
        if text.range(of: #"-----BEGIN [A-Z ]*PRIVATE KEY-----"#, options: .regularExpression) != nil { return "private key" }
        if text.range(of: #"(?i)\bpass(word|wd)?\s*[:=]\s*\S+"#, options: .regularExpression) != nil { return "password" }
        return nil
    }

    private static func decodedBase64(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 16, let data = Data(base64Encoded: trimmed) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// Every clear-text secret in VMs' extra config and in any entity's metadata, one line each (where and what kind,
    /// never the value).
    static func findings(in state: SimState) -> [String] {
        var findings: [String] = []
        for vm in state.vms.values.sorted(by: { $0.name < $1.name }) {
            let vAppName = state.vApps[vm.vApp]?.name ?? "?"
            for (key, value) in vm.extraConfig.sorted(by: { $0.key < $1.key }) {
                if let kind = secret(in: value) { findings.append("VM \(vm.name) of vApp \(vAppName): extra config \(key) holds \(kind) in clear") }
            }
        }
        for id in state.metadata.keys.sorted() {
            for (key, value) in state.generalMetadata(id).sorted(by: { $0.key < $1.key }) {
                if let kind = secret(in: value) { findings.append("metadata \(key) of \(id) holds \(kind) in clear") }
            }
        }
        for id in (state.systemMetadataByEntity ?? [:]).keys.sorted() {
            for (key, entry) in state.systemMetadata(id).sorted(by: { $0.key < $1.key }) {
                if let kind = secret(in: entry.value) { findings.append("SYSTEM metadata \(key) of \(id) holds \(kind) in clear") }
            }
        }
        return findings
    }
}
