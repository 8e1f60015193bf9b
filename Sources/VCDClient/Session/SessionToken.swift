import Foundation

/// A vCD session token and how it is presented: the legacy opaque token in `x-vcloud-authorization` (from
/// `POST /api/sessions`) or a JWT in `Authorization: Bearer` (from `/cloudapi/1.0.0/sessions`, header
/// `X-VMWARE-VCLOUD-ACCESS-TOKEN`). The two are never swapped (pyvcloud's `rehydrate_from_token(is_jwt_token:)`).
public struct SessionToken: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case legacy, bearer }

    public var value: String
    public var kind: Kind

    public init(_ value: String, kind: Kind) {
        self.value = value
        self.kind = kind
    }

    public static func bearer(_ value: String) -> SessionToken { SessionToken(value, kind: .bearer) }
    public static func legacy(_ value: String) -> SessionToken { SessionToken(value, kind: .legacy) }

    /// The token a forwarded request carries, in the header it came in (header names lower-cased): `x-vcloud-authorization`
    /// is a legacy token, `Authorization: Bearer` a JWT; nil without either.
    public init?(requestHeaders headers: [String: String]) {
        if let legacy = headers["x-vcloud-authorization"]?.trimmingCharacters(in: .whitespaces), !legacy.isEmpty {
            self.init(legacy, kind: .legacy)
        } else if let header = headers["authorization"], header.lowercased().hasPrefix("bearer ") {
            let jwt = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            guard !jwt.isEmpty else { return nil }
            self.init(jwt, kind: .bearer)
        } else {
            return nil
        }
    }

    /// The header that carries it.
    public var header: (name: String, value: String) {
        switch kind {
        case .legacy: return (name: "x-vcloud-authorization", value: value)
        case .bearer: return (name: "Authorization", value: "Bearer \(value)")
        }
    }

    /// Never the token itself.
    public var description: String { kind == .bearer ? "Bearer token" : "x-vcloud-authorization token" }
}
