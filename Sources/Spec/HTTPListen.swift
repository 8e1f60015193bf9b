import Foundation

/// Where `cse run` serves `/metrics`, `/healthz` and `/readyz` (`service.http.listen: HOST:PORT`); absent: not served.
public struct HTTPListen: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 or IPv6 address (without brackets) or a host name.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`); the error says what is wrong.
    public static func parse(_ text: String) -> Result<HTTPListen, ParseError> {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ParseError("an IPv6 address needs the form [ADDRESS]:PORT"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(ParseError("needs HOST:PORT, e.g. 127.0.0.1:9464")) }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return .failure(ParseError("an IPv6 address goes in brackets: [ADDRESS]:PORT")) }
        }
        guard !host.isEmpty else { return .failure(ParseError("the host is missing (127.0.0.1 serves this machine only)")) }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":") }) else {
            return .failure(ParseError("'\(host)' is not an address or host name"))
        }
        guard let number = Int(port), (1...65_535).contains(number), port.allSatisfy(\.isNumber) else {
            return .failure(ParseError("the port must be a number from 1 to 65535, found '\(port)'"))
        }
        return .success(HTTPListen(host: String(host), port: number))
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
