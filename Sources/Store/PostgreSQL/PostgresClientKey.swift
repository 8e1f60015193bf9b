import Foundation
import NIOSSL
import Spec

/// The client's certificate and private key (store.url's sslcert and sslkey), read as libpq reads them: the key file
/// must be a regular file that nobody else can read, that is 0600 or less when the service's user owns it, or 0640 or
/// less when root owns it (libpq's fe-secure-openssl.c; PostgreSQL's manual, "Client Certificates"). A key that others
/// can read is refused before it is used, and no message ever holds its contents.
enum PostgresClientKey {
    static func load(into tls: inout TLSConfiguration, from url: PostgresURL) throws {
        guard let certificateFile = url.sslCertificate, let keyFile = url.sslKey else { return }
        try checkPermissions(of: keyFile, url: url)
        do {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        } catch {
            throw StoreError.unavailable(location: url.redacted, reason: "cannot read sslcert \(certificateFile): \(error)")
        }
        do {
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        } catch {
            throw StoreError.unavailable(location: url.redacted, reason: "cannot read sslkey \(keyFile) (a PEM private key without a passphrase)")
        }
    }

    static func checkPermissions(of keyFile: String, url: PostgresURL) throws {
        var status = stat()
        guard stat(keyFile, &status) == 0 else {
            throw StoreError.unavailable(location: url.redacted, reason: "cannot read sslkey \(keyFile): \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError.unavailable(location: url.redacted, reason: "sslkey \(keyFile) is not a regular file")
        }
        let mode = status.st_mode & 0o7777
        let unsafe: Bool
        if status.st_uid == geteuid() {
            unsafe = mode & 0o077 != 0
        } else if status.st_uid == 0 {
            unsafe = mode & 0o037 != 0
        } else {
            throw StoreError.unavailable(location: url.redacted, reason: "sslkey \(keyFile) must be owned by the service's user or by root")
        }
        if unsafe {
            throw StoreError.unavailable(location: url.redacted, reason: "sslkey \(keyFile) can be read by others (mode \(String(mode, radix: 8))); "
                                            + "it must be 0600 or less, or 0640 or less when root owns it")
        }
    }
}
