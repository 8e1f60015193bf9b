import Foundation

/// Finds secrets left readable where other users of an org can see them: a VM's extra config (vCD shows it to anyone
/// who can read the VM, and cloud-init user data lives there), the extra config captured into a vApp template's VMs,
/// and metadata. A value is read as cloud-init would and deeper: every base64 layer (the whole value, and each
/// base64 run inside it, such as a cloud-config `write_files` entry with `encoding: b64` or a script variable), and
/// gzip (`gzip+base64`). Each layer is checked for a kubeconfig's credentials, a kubeadm join token (said to be still
/// valid when a master of the cloud issued it and it has not expired or been revoked), a private key, a password
/// assignment or crypt(3) hash, and any secret the caller knows (the template's root password). Sealed values
/// (`cse-sealed:`) are ciphertext and never match.
struct ClearTextSecretScan {
    /// Secrets the caller knows (a root password): found in any layer, never printed.
    var knownSecrets: [String] = []
    /// Join tokens a master issued that are still valid (`id.secret`).
    var validTokens: Set<String> = []

    /// What kind of secret `value` shows in clear, if any.
    func secret(in value: String) -> String? {
        for text in Self.layers(of: value) {
            if let kind = kind(of: text) { return kind }
        }
        return nil
    }

    static func secret(in value: String) -> String? { ClearTextSecretScan().secret(in: value) }

    private func kind(of text: String) -> String? {
        if text.contains("client-key-data") || text.contains("client-certificate-data") || text.contains("\ntoken: ") || text.contains("    token: ") {
            return "kubeconfig credentials"
        }
        for token in Self.matches(of: #"\b[a-z0-9]{6}\.[a-z0-9]{16}\b"#, in: text) where validTokens.contains(token) {
            return "kubeadm join token (still valid)"
        }
        if text.range(of: #"--token\s+[a-z0-9]{6}\.[a-z0-9]{16}"#, options: .regularExpression) != nil {
            return "kubeadm join token"
        }
        if text.range(of: #"-----BEGIN [A-Z ]*PRIVATE KEY-----"#, options: .regularExpression) != nil { return "private key" }
        if text.range(of: #"(?i)\bpass(word|wd)?\s*[:=]\s*\S+"#, options: .regularExpression) != nil { return "password" }
        if text.range(of: #"\$(1|5|6|y|2[aby]?)\$[./0-9A-Za-z$]{8,}"#, options: .regularExpression) != nil { return "password hash" }
        if knownSecrets.contains(where: { !$0.isEmpty && text.contains($0) }) { return "a known secret" }
        return nil
    }

    /// The value and everything decoded out of it, depth first (bounded depth and count).
    static func layers(of value: String, depth: Int = 0) -> [String] {
        var result = [value]
        guard depth < 5 else { return result }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        var candidates = [trimmed]
        candidates += matches(of: #"[A-Za-z0-9+/]{12,}={0,2}"#, in: value).filter { $0 != trimmed }.prefix(256)
        for candidate in candidates {
            guard let decoded = decode(candidate) else { continue }
            result += layers(of: decoded, depth: depth + 1)
        }
        return result
    }

    /// Base64 (padded or not), then gzip when compressed; nil unless it reads as text.
    private static func decode(_ candidate: String) -> String? {
        guard candidate.count >= 12 else { return nil }
        let padded = candidate + String(repeating: "=", count: (4 - candidate.count % 4) % 4)
        guard var data = Data(base64Encoded: padded) else { return nil }
        if Gunzip.isCompressed(data) {
            guard let inflated = Gunzip.inflate(data) else { return nil }
            data = inflated
        }
        guard let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else { return nil }
        return text
    }

    private static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    /// Every clear-text secret in VMs' and vApp templates' extra config and in any entity's metadata, one line each
    /// (where and what kind, never the value).
    static func findings(in state: SimState, knownSecrets: [String] = [], now: Date = Date()) -> [String] {
        var validTokens: Set<String> = []
        for vm in state.vms.values { for (token, expiry) in vm.issuedTokens where expiry > now { validTokens.insert(token) } }
        let scan = ClearTextSecretScan(knownSecrets: knownSecrets, validTokens: validTokens)
        var findings: [String] = []
        for vm in state.vms.values.sorted(by: { $0.name < $1.name }) {
            let vAppName = state.vApps[vm.vApp]?.name ?? "?"
            for (key, value) in vm.extraConfig.sorted(by: { $0.key < $1.key }) {
                if let kind = scan.secret(in: value) { findings.append("VM \(vm.name) of vApp \(vAppName): extra config \(key) holds \(kind) in clear") }
            }
        }
        for template in state.templates.values.sorted(by: { $0.name < $1.name }) {
            for vm in template.vms {
                for (key, value) in (vm.extraConfig ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let kind = scan.secret(in: value) {
                        findings.append("VM \(vm.name) of vApp template \(template.name): extra config \(key) holds \(kind) in clear")
                    }
                }
            }
        }
        for id in state.metadata.keys.sorted() {
            for (key, value) in state.generalMetadata(id).sorted(by: { $0.key < $1.key }) {
                if let kind = scan.secret(in: value) { findings.append("metadata \(key) of \(id) holds \(kind) in clear") }
            }
        }
        for id in (state.systemMetadataByEntity ?? [:]).keys.sorted() {
            for (key, entry) in state.systemMetadata(id).sorted(by: { $0.key < $1.key }) {
                if let kind = scan.secret(in: entry.value) { findings.append("SYSTEM metadata \(key) of \(id) holds \(kind) in clear") }
            }
        }
        return findings
    }
}
