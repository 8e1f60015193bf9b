import Foundation

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// GET, HEAD, PUT and DELETE may be repeated without changing the outcome; POST may not.
    public var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method) }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: Data
    /// True when the transfer opened no new connection (an earlier one was reused).
    public var reusedConnection: Bool

    public init(status: Int, headers: [String: String], body: Data, reusedConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.reusedConnection = reusedConnection
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A request that did not get an HTTP answer.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable { case connect, timeout, reset, tls, other }

    public var kind: Kind
    public var code: Int
    public var message: String
    /// Method and URL without query string, never headers or body.
    public var request: String

    public var description: String { "\(request): \(message) (libcurl \(code))" }
}
