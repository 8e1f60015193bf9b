import Foundation

/// Where a secret lives. Specs and config hold only the reference; the value is read when needed
/// and never printed: `description` names the reference, not the value.
public enum SecretReference: Hashable, Sendable, Codable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        }
    }

    /// Reads the secret. A file's trailing newline is dropped, as editors add one.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else { throw SecretError.unset(self) }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
                throw SecretError.unreadable(self)
            }
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw SecretError.unset(self) }
            return text
        }
    }

    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }

    // Codable as {"env": NAME} or {"file": PATH}, the same shape as in YAML.
    private enum CodingKeys: String, CodingKey { case env, file }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try container.decodeIfPresent(String.self, forKey: .env) {
            self = .environment(name)
        } else {
            self = .file(try container.decode(String.self, forKey: .file))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .environment(let name): try container.encode(name, forKey: .env)
        case .file(let path): try container.encode(path, forKey: .file)
        }
    }
}

public enum SecretError: Error, CustomStringConvertible, Equatable {
    case unset(SecretReference)
    case unreadable(SecretReference)

    public var description: String {
        switch self {
        case .unset(let reference): return "secret \(reference) is not set or empty"
        case .unreadable(let reference): return "secret \(reference) cannot be read"
        }
    }
}
