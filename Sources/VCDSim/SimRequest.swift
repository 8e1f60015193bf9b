import Foundation

/// An HTTP request as the simulator sees it, independent of the server library.
public struct SimRequest: Sendable {
    public var method: String
    public var path: String
    /// Decoded query parameters (first value wins).
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// Splits `a=1&b=x%3Dy` into decoded pairs; `+` is not a space here (vCD filters use it literally).
    public static func parseQuery(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            if result[key] == nil { result[key] = value }
        }
        return result
    }

    var segments: [String] { path.split(separator: "/").map(String.init) }
}

public struct SimResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// Close the connection without answering (injected reset).
    public var dropConnection = false

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func xml(_ status: Int, _ document: String, type: String, extraHeaders: [String: String] = [:]) -> SimResponse {
        var headers = extraHeaders
        headers["Content-Type"] = type.isEmpty ? "application/xml" : type
        return SimResponse(status: status, headers: headers, body: Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + document).utf8))
    }

    static func json(_ status: Int, _ object: Any) -> SimResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return SimResponse(status: status, headers: ["Content-Type": "application/json"], body: data)
    }
}
