/// What went wrong talking to the broker. Texts carry the broker's reply text, never a password.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// The TCP connection (or its socket setup) failed.
    case connectionFailed(endpoint: String, reason: String)
    /// The TLS handshake failed: the broker's certificate is not trusted or not for this host, or a file of the
    /// TLS settings is unusable. Retrying cannot help until the configuration changes.
    case tlsRefused(endpoint: String, reason: String)
    /// The broker refused the login (wrong user, password or vhost).
    case loginRefused(endpoint: String, reason: String)
    /// The broker closed the connection, with its reply code and text.
    case connectionClosedByBroker(code: Int, text: String, during: String)
    /// The broker closed a channel, with its reply code and text (e.g. 404 for an unknown exchange).
    case channelClosedByBroker(code: Int, text: String, during: String)
    /// The socket broke, timed out or missed heartbeats.
    case connectionLost(during: String, reason: String)
    /// The connection was closed by this process.
    case closed

    /// The broker refused a publish (e.g. 404: the exchange does not exist): retrying cannot deliver it,
    /// but the connection and its consumer are fine.
    public var isRejectedPublish: Bool {
        if case .channelClosedByBroker(_, _, "publish") = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidURL(let why): return "invalid AMQP URL: \(why)"
        case .connectionFailed(let endpoint, let reason): return "cannot connect to AMQP broker \(endpoint): \(reason)"
        case .tlsRefused(let endpoint, let reason): return "TLS connection to AMQP broker \(endpoint) refused: \(reason)"
        case .loginRefused(let endpoint, let reason): return "AMQP broker \(endpoint) refused the login: \(reason)"
        case .connectionClosedByBroker(let code, let text, let during): return "AMQP broker closed the connection during \(during): \(code) \(text)"
        case .channelClosedByBroker(let code, let text, let during): return "AMQP broker closed the channel during \(during): \(code) \(text)"
        case .connectionLost(let during, let reason): return "AMQP connection lost during \(during): \(reason)"
        case .closed: return "AMQP connection is closed"
        }
    }

    /// Worth retrying after a pause: the broker may come back. Configuration mistakes (bad URL, refused
    /// login, a topology the broker rejects) are not.
    public var isTransient: Bool {
        switch self {
        case .invalidURL, .loginRefused, .tlsRefused: return false
        case .channelClosedByBroker(let code, _, _):
            // 403 access refused, 404 not found, 406 precondition failed: retrying gives the same answer.
            return ![403, 404, 406].contains(code)
        case .connectionClosedByBroker(let code, _, _):
            return code != 403 && code != 530
        case .connectionFailed, .connectionLost, .closed: return true
        }
    }
}
