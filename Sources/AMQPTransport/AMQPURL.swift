import Foundation

/// Where a broker is and how to log in: `amqp://user:password@host:port/vhost`, or `amqps://` for TLS.
/// Its descriptions never show the password.
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// TLS, when the connection is `amqps`.
    public var tls: AMQPTLS?

    public init(host: String, port: Int = 5672, user: String = "guest", password: String = "guest", vhost: String = "/", tls: AMQPTLS? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
        self.tls = tls
    }

    /// Parses `amqp[s]://[user[:password]@]host[:port][/vhost]` (`amqps`: TLS verified against the system's trust
    /// store, default port 5671). User, password and vhost are percent-decoded
    /// (`%2F` is `/`); a missing or empty vhost is `/`, the broker's default (amqp-tools would send an empty
    /// vhost for a trailing slash, which every broker refuses).
    public init(_ string: String) throws(AMQPError) {
        // The error text must not echo the input: it may hold a password.
        guard let components = URLComponents(string: string) else { throw .invalidURL("not a URL") }
        guard let scheme = components.scheme?.lowercased() else { throw .invalidURL("missing scheme amqp://") }
        guard scheme == "amqp" || scheme == "amqps" else { throw .invalidURL("scheme must be amqp or amqps, not \(scheme)") }
        let secure = scheme == "amqps"
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("missing host") }
        let port = components.port ?? (secure ? 5671 : 5672)
        guard (1...65535).contains(port) else { throw .invalidURL("port \(port) is out of range") }
        if let query = components.query, !query.isEmpty { throw .invalidURL("query parameters are not supported") }
        var encodedVHost = components.percentEncodedPath
        if encodedVHost.hasPrefix("/") { encodedVHost.removeFirst() }
        guard !encodedVHost.contains("/") else { throw .invalidURL("a vhost is one path segment; write '/' as %2F") }
        let vhost = encodedVHost.removingPercentEncoding ?? encodedVHost
        self.init(host: host, port: port, user: components.user ?? "guest", password: components.password ?? "guest",
                  vhost: vhost.isEmpty ? "/" : vhost, tls: secure ? AMQPTLS() : nil)
    }

    public var endpoint: String { "\(host):\(port)" }

    /// The URL with `***` for the password.
    public var redacted: String {
        let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))
        let userPart = user.addingPercentEncoding(withAllowedCharacters: allowed) ?? user
        let vhostPart = vhost.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? vhost
        return "\(tls == nil ? "amqp" : "amqps")://\(userPart):***@\(endpoint)/\(vhostPart)"
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror { Mirror(self, children: ["url": redacted]) }
}
