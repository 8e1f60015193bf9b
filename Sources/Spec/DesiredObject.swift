import Crypto
import Foundation

public enum ObjectKind: String, Hashable, Sendable, Codable, CaseIterable {
    case template = "Template"
    case cluster = "Cluster"
}

/// Identity of a desired object: clusters are named within an org, templates within the whole cloud.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: ObjectKind
    /// The tenant org of a cluster; empty for templates.
    public var org: String
    public var name: String

    public init(kind: ObjectKind, org: String, name: String) {
        self.kind = kind
        self.org = org
        self.name = name
    }

    public var description: String {
        org.isEmpty ? "\(kind.rawValue.lowercased())/\(name)" : "\(kind.rawValue.lowercased())/\(org)/\(name)"
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.kind.rawValue, a.org, a.name) < (b.kind.rawValue, b.org, b.name)
    }
}

/// One piece of desired state, as a spec file or a tenant request describes it.
public enum DesiredObject: Hashable, Sendable {
    case template(TemplateSpec)
    case cluster(ClusterSpec)

    public var kind: ObjectKind {
        switch self {
        case .template: return .template
        case .cluster: return .cluster
        }
    }

    public var key: ObjectKey {
        switch self {
        case .template(let spec): return ObjectKey(kind: .template, org: "", name: spec.name)
        case .cluster(let spec): return ObjectKey(kind: .cluster, org: spec.org, name: spec.name)
        }
    }

    /// The canonical form: JSON with sorted keys and no optional left unset, the same bytes for the same spec.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        switch self {
        case .template(let spec): data = try! encoder.encode(spec)  // plain value types: encoding cannot fail
        case .cluster(let spec): data = try! encoder.encode(spec)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// SHA-256 of kind and canonical form, hex: equal specs hash equal, any change changes it.
    public var specHash: String {
        Self.specHash(kind: kind, canonicalJSON: canonicalJSON)
    }

    /// `specHash` of an object whose canonical form is already at hand (it is not made a second time).
    public static func specHash(kind: ObjectKind, canonicalJSON: String) -> String {
        let digest = SHA256.hash(data: Data("\(kind.rawValue)\n\(canonicalJSON)".utf8))
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Rebuilds an object from its canonical form (as stored).
    public static func decode(kind: ObjectKind, canonicalJSON: String) throws -> DesiredObject {
        let data = Data(canonicalJSON.utf8)
        switch kind {
        case .template: return .template(try JSONDecoder().decode(TemplateSpec.self, from: data))
        case .cluster: return .cluster(try JSONDecoder().decode(ClusterSpec.self, from: data))
        }
    }
}
