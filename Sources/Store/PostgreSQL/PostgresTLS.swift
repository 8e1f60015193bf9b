import NIOSSL
import PostgresNIO
import Spec

/// The TLS side of a PostgreSQL connection, as libpq's sslmode, sslrootcert, sslcert and sslkey describe it
/// (PostgreSQL's manual, "SSL Mode Descriptions"): what is encrypted, which certificate the client accepts, and which it
/// shows.
enum PostgresTLS {
    static func configuration(for url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
        guard url.sslMode != .disable else { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable, .prefer:
            tls.certificateVerification = .none
        case .require:
            // libpq: with a root certificate file, require checks the chain as verify-ca does.
            tls.certificateVerification = url.sslRootCertificate == nil ? .none : .noHostnameVerification
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tls.certificateVerification = .fullVerification
        }
        if let file = url.sslRootCertificate {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw StoreError.unavailable(location: url.redacted, reason: "cannot read sslrootcert \(file): \(error)")
            }
        }
        try PostgresClientKey.load(into: &tls, from: url)
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw StoreError.unavailable(location: url.redacted, reason: "cannot set up TLS: \(error)")
        }
        return url.sslMode == .prefer ? .prefer(context) : .require(context)
    }
}
