import Foundation

/// A PostgreSQL address from config (`store.url`):
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME][&sslmode=MODE][&sslrootcert=FILE][&sslcert=FILE&sslkey=FILE]`
/// (`postgresql://` too; libpq's URI form, and libpq's names and meanings for sslmode, sslrootcert, sslcert and sslkey).
/// The password never leaves this value: `redacted` is what messages show.
public struct PostgresURL: Hashable, Sendable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// The schema the store's tables live in (PostgreSQL's `search_path`); nil = the user's default (`public`).
    public var schema: String?
    /// Whether and how the connection is encrypted (libpq's sslmode; its default, prefer).
    public var sslMode: PostgresSSLMode
    /// PEM file of the certificate authorities that may sign the server's certificate (libpq's sslrootcert); nil = the
    /// system's trust store.
    public var sslRootCertificate: String?
    /// PEM files of the client's certificate and of its private key (libpq's sslcert and sslkey), for a server that asks
    /// for one (pg_hba.conf's `cert` method, or `clientcert=`); nil = none is sent. Given together or not at all.
    public var sslCertificate: String?
    public var sslKey: String?

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String, schema: String? = nil,
                sslMode: PostgresSSLMode = .prefer, sslRootCertificate: String? = nil, sslCertificate: String? = nil, sslKey: String? = nil) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
        self.sslCertificate = sslCertificate
        self.sslKey = sslKey
    }

    /// The parameters that name files (a config file's relative paths are taken from its folder).
    public static let fileParameters: Set<String> = ["sslrootcert", "sslcert", "sslkey"]

    /// Parses `text`; the error says what is wrong without repeating the password.
    public init(parsing text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError("expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw PostgresURLError("names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresURLError("names no host") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw PostgresURLError("names no database (…/DATABASE at the end)") }
        var schema: String?
        var sslMode = PostgresSSLMode.prefer
        var rootCertificate: String?
        var clientCertificate: String?
        var clientKey: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema":
                guard let value = item.value, !value.isEmpty else { throw PostgresURLError("schema= needs a name") }
                schema = value
            case "sslmode":
                guard let mode = item.value.flatMap(PostgresSSLMode.init(rawValue:)) else {
                    throw PostgresURLError("sslmode '\(item.value ?? "")' is not one of \(PostgresSSLMode.names) (libpq's allow is not offered)")
                }
                sslMode = mode
            case "sslrootcert":
                rootCertificate = try Self.pemFile(item)
            case "sslcert":
                clientCertificate = try Self.pemFile(item)
            case "sslkey":
                clientKey = try Self.pemFile(item)
            default:
                throw PostgresURLError("unknown parameter '\(item.name)' (known: schema, sslmode, sslrootcert, sslcert, sslkey)")
            }
        }
        if (clientCertificate == nil) != (clientKey == nil) {
            throw PostgresURLError("sslcert= and sslkey= go together (the client's certificate and its private key)")
        }
        for (name, file) in [("sslrootcert", rootCertificate), ("sslcert", clientCertificate)] where file != nil && sslMode == .disable {
            throw PostgresURLError("\(name)= is given but sslmode=disable turns TLS off")
        }
        self.init(user: user, password: components.password.flatMap { $0.removingPercentEncoding }, host: host,
                  port: components.port ?? 5432, database: database.removingPercentEncoding ?? database, schema: schema,
                  sslMode: sslMode, sslRootCertificate: rootCertificate, sslCertificate: clientCertificate, sslKey: clientKey)
    }

    /// A parameter's file name; it cannot be empty.
    private static func pemFile(_ item: URLQueryItem) throws(PostgresURLError) -> String {
        guard let value = item.value, !value.isEmpty else { throw PostgresURLError("\(item.name)= needs a PEM file") }
        return value
    }

    /// The address without its password, for logs and errors.
    public var redacted: String {
        var parameters: [String] = []
        if let schema { parameters.append("schema=\(schema)") }
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificate { parameters.append("sslrootcert=\(sslRootCertificate)") }
        if let sslCertificate, let sslKey { parameters += ["sslcert=\(sslCertificate)", "sslkey=\(sslKey)"] }
        return "postgres://\(user)@\(host):\(port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    public var description: String { redacted }

    public static func isPostgres(_ text: String) -> Bool {
        text.lowercased().hasPrefix("postgres://") || text.lowercased().hasPrefix("postgresql://")
    }
}

public struct PostgresURLError: Error, Hashable, CustomStringConvertible {
    /// What is wrong, without naming the setting (a config error puts it at its line).
    public let reason: String
    init(_ reason: String) { self.reason = reason }

    public var description: String { "store.url: \(reason)" }
}
