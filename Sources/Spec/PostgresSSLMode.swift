/// store.url's `sslmode` (the config check reads it, the store's PostgreSQL client acts on it).
/// libpq's sslmode values (PostgreSQL's manual, "SSL Mode Descriptions"), but `allow` (plain first, TLS only if the
/// server insists), which postgres-nio does not offer.
public enum PostgresSSLMode: String, CaseIterable, Hashable, Sendable {
    /// Plain TCP only.
    case disable
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    case prefer
    /// TLS or no connection; the certificate is checked against sslrootcert when one is given (as libpq does when a
    /// root certificate file exists), else not.
    case require
    /// TLS, and the server's certificate must be signed by a trusted authority.
    case verifyCA = "verify-ca"
    /// TLS, a trusted certificate, and it must name the host the URL names.
    case verifyFull = "verify-full"
}

extension PostgresSSLMode {
    /// Every mode's name, as an error lists them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
