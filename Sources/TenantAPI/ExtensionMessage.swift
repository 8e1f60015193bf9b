import Foundation

/// A tenant's HTTP request as vCD forwards it to an API extension over AMQP: a JSON array whose first
/// element is the request and whose second is vCD's security context.
public struct ExtensionRequest: Sendable, Equatable {
    public var id: String
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased (vCD keeps the client's casing; lookups must not depend on it).
    public var headers: [String: String]
    public var body: Data
    public var securityContext: SecurityContext?

    public init(id: String, method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: Data = Data(), securityContext: SecurityContext? = nil) {
        self.id = id
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.securityContext = securityContext
    }

    public static let maxMessageBytes = 1 << 20

    /// Decodes a message body; every way it can be wrong is a `MessageError` naming what is wrong.
    public static func decode(_ data: Data) throws -> ExtensionRequest {
        guard data.count <= maxMessageBytes else { throw MessageError.tooLarge(data.count) }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw MessageError.notJSON
        }
        guard let array = json as? [Any], let request = array.first as? [String: Any] else { throw MessageError.shape("expected a JSON array whose first element is the request object") }
        guard let id = request["id"] as? String, !id.isEmpty else { throw MessageError.shape("request has no id") }
        guard let method = (request["method"] as? String)?.uppercased(), !method.isEmpty else { throw MessageError.shape("request has no method") }
        guard let uri = request["requestUri"] as? String, uri.hasPrefix("/") else { throw MessageError.shape("request has no requestUri") }
        var headers: [String: String] = [:]
        for (name, value) in request["headers"] as? [String: Any] ?? [:] {
            headers[name.lowercased()] = (value as? String) ?? (value as? [String])?.first ?? "\(value)"
        }
        var body = Data()
        if let encoded = request["body"] as? String, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else { throw MessageError.badBase64 }
            body = decoded
        }
        var query: [String: String] = [:]
        let queryString = (request["queryString"] as? String) ?? ""
        for item in URLComponents(string: "?" + queryString)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let context = (array.count > 1 ? array[1] as? [String: Any] : nil).map {
            SecurityContext(user: $0["user"] as? String, org: $0["org"] as? String, rights: $0["rights"] as? [String] ?? [])
        }
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        return ExtensionRequest(id: id, method: method, path: path, query: query, headers: headers, body: body, securityContext: context)
    }

    /// The tenant's vCD session token, as vcd-cli sends it.
    public var token: String? { headers["x-vcloud-authorization"] }
}

/// What vCD says about the caller (URNs of user and org, and rights), when it sends it.
public struct SecurityContext: Sendable, Equatable {
    public var user: String?
    public var org: String?
    public var rights: [String]
}

public enum MessageError: Error, CustomStringConvertible, Equatable {
    case tooLarge(Int)
    case notJSON
    case shape(String)
    case badBase64

    public var description: String {
        switch self {
        case .tooLarge(let size): return "message of \(size) bytes exceeds the \(ExtensionRequest.maxMessageBytes)-byte limit"
        case .notJSON: return "message is not JSON"
        case .shape(let what): return "malformed request: \(what)"
        case .badBase64: return "request body is not valid base64"
        }
    }
}

/// The HTTP answer the extension sends back through vCD.
public struct ExtensionReply: Sendable, Equatable {
    public var status: Int
    /// JSON text of the HTTP body.
    public var body: String
    public var contentType: String

    public init(status: Int, body: String, contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    /// The reply message: `{id, headers, statusCode, body (base64), request: false}`.
    public func encoded(requestID: String) -> Data {
        let bodyData = Data(body.utf8)
        let headers = JSONText.object([("Content-Type", .string(contentType)), ("Content-Length", .string(String(bodyData.count)))])
        let message = JSONText.object([("id", .string(requestID)), ("statusCode", .integer(status)), ("request", .boolean(false)),
                                       ("body", .string(bodyData.base64EncodedString())), ("headers", .raw(headers))])
        return Data(message.utf8)
    }

    public static func error(_ status: Int, _ message: String) -> ExtensionReply {
        ExtensionReply(status: status, body: JSON.encode(["message": message]))
    }
}

enum JSON {
    static func encode(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
