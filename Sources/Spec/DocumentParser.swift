import Yams

/// A desired object read from a spec document, with the place it was defined.
public struct LoadedObject: Hashable, Sendable {
    public var object: DesiredObject
    public var location: SourceLocation

    public init(object: DesiredObject, location: SourceLocation) {
        self.object = object
        self.location = location
    }
}

/// Turns one YAML document (`apiVersion`, `kind`, `metadata`, `spec`) into a desired object,
/// reporting every problem it finds to the sink.
struct DocumentParser {
    static let apiVersion = "cse/v1"

    let file: String
    let sink: DiagnosticSink

    func parse(_ root: Node) -> LoadedObject? {
        guard let document = MappingReader(root, file: file, path: "", allowedKeys: ["apiVersion", "kind", "metadata", "spec"], sink: sink) else {
            return nil
        }
        if let version = document.string("apiVersion", required: true), version != Self.apiVersion {
            document.report("apiVersion", "unsupported apiVersion '\(version)'; this cse reads '\(Self.apiVersion)'")
        }
        let kind: ObjectKind? = document.choice("kind", required: true)
        switch kind {
        case .template?:
            return TemplateParser(document: document).parse().map { LoadedObject(object: .template($0), location: document.location) }
        case .cluster?:
            return ClusterParser(document: document).parse().map { LoadedObject(object: .cluster($0), location: document.location) }
        case nil:
            return nil
        }
    }
}

/// Shared readers for `metadata` and VM sizes.
extension MappingReader {
    func name(rule: (String) -> String?) -> String? {
        guard let name = string("name", required: true) else { return nil }
        if let problem = rule(name) {
            report("name", "'\(qualified("name"))' '\(name)' \(problem)")
            return nil
        }
        return name
    }

    func entityName(_ key: String, required: Bool = false) -> String? {
        guard let name = string(key, required: required) else { return nil }
        if let problem = NameRules.entityNameProblem(name) {
            report(key, "'\(qualified(key))' \(problem)")
            return nil
        }
        return name
    }

    func resources(_ key: String) -> SizeOverride {
        guard let reader = mapping(key, allowedKeys: ["cpu", "memoryMB"]) else { return SizeOverride() }
        return SizeOverride(cpu: reader.int("cpu", range: VMResources.cpuRange), memoryMB: reader.memory("memoryMB"))
    }

    /// Memory in MB; vCD wants a multiple of 4.
    func memory(_ key: String) -> Int? {
        guard let value = int(key, range: VMResources.memoryRange) else { return nil }
        if value % 4 != 0 {
            report(key, "'\(qualified(key))' is \(value) MB; vCD needs a multiple of 4")
            return nil
        }
        return value
    }

    func sshPublicKey(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // It ends up in guest customization scripts, which vCD limits in size: an RSA-16384 key is under 3 KB.
        guard trimmed.utf8.count <= NameRules.maxSSHKeyBytes else {
            report(key, "'\(qualified(key))' is \(trimmed.utf8.count) bytes; an ssh public key may have at most \(NameRules.maxSSHKeyBytes)")
            return nil
        }
        let knownTypes = ["ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]
        let parts = trimmed.split(separator: " ")
        guard parts.count >= 2, knownTypes.contains(String(parts[0])) else {
            report(key, "'\(qualified(key))' is not an ssh public key (expected '<type> <base64> [comment]', type one of \(knownTypes.joined(separator: ", ")))")
            return nil
        }
        return trimmed
    }
}
