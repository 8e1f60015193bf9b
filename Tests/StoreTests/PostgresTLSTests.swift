import Foundation
import PostgresNIO
import Spec
import Testing
@testable import Store

/// The store's connection to PostgreSQL over TLS, chosen as libpq's sslmode and sslrootcert choose it. The server is
/// scripts/postgres's (TLS on, its authority in CSE_TEST_POSTGRES_CA); without one the server tests do nothing.
@Suite struct PostgresTLSTests {
    @Test func sslModeAndRootCertificateAreReadAsLibpqNamesThem() throws {
        let url = try PostgresURL(parsing: "postgres://cse:s3cret-pw@db.example/d?sslmode=verify-full&sslrootcert=/etc/cse/db-ca.pem")
        #expect(url.sslMode == .verifyFull && url.sslRootCertificate == "/etc/cse/db-ca.pem")
        #expect(url.redacted == "postgres://cse@db.example:5432/d?sslmode=verify-full&sslrootcert=/etc/cse/db-ca.pem")
        #expect(try PostgresURL(parsing: "postgres://u@h/d").sslMode == .prefer, "libpq's default")
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            #expect(try PostgresURL(parsing: "postgres://u@h/d?sslmode=\(mode)").sslMode.rawValue == mode)
        }
        for (text, says) in [("postgres://u:s3cret-pw@h/d?sslmode=allow", "sslmode 'allow'"),
                             ("postgres://u:s3cret-pw@h/d?sslmode=verify_full", "sslmode 'verify_full'"),
                             ("postgres://u:s3cret-pw@h/d?sslmode=disable&sslrootcert=/ca.pem", "sslmode=disable"),
                             ("postgres://u:s3cret-pw@h/d?sslrootcert=", "sslrootcert= needs")] {
            expectRefusal(text, says: [says]) { _ = try PostgresURL(parsing: text) }
        }
    }

    @Test func verifyFullWithTheServersAuthorityConnectsEncrypted() throws {
        guard let server = Self.server() else { return }
        for host in ["127.0.0.1", "localhost"] {
            var url = server.url
            url.host = host
            url.sslMode = .verifyFull
            url.sslRootCertificate = server.authority
            let (store, drop) = try Self.open(url)
            defer { drop() }
            try store.put(StoreFixtures.cluster("over-tls"), owner: .admin)
            #expect(try store.object(StoreFixtures.cluster("over-tls").key) != nil)
            #expect(try Self.encryption(of: store) == "TLS", "host \(host)")
        }
    }

    @Test func disableConnectsInTheClearAndPreferEncrypts() throws {
        guard let server = Self.server() else { return }
        var url = server.url
        url.sslMode = .disable
        let (plain, dropPlain) = try Self.open(url)
        defer { dropPlain() }
        #expect(try Self.encryption(of: plain) == "none")
        url.sslMode = .prefer
        let (preferred, dropPreferred) = try Self.open(url)
        defer { dropPreferred() }
        #expect(try Self.encryption(of: preferred) == "TLS", "prefer takes TLS when the server offers it")
    }

    @Test func aCertificateFromAnotherAuthorityIsRefusedWithoutThePassword() throws {
        guard let server = Self.server() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-pg-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = try Self.makeAuthority(in: directory)
        for mode in [PostgresSSLMode.verifyFull, .verifyCA, .require] {
            var url = server.url
            url.password = "s3cret-pw"
            url.sslMode = mode
            url.sslRootCertificate = other
            expectRefusal("with sslmode=\(mode.rawValue), a certificate another authority signed",
                          says: ["cannot connect", "sslmode=\(mode.rawValue)"]) {
                let (_, drop) = try Self.open(url)
                drop()
            }
        }
    }

    @Test func aClientCertificateAndKeyAreReadAsLibpqNamesThemAndGoTogether() throws {
        let url = try PostgresURL(parsing: "postgres://cse_cert:s3cret-pw@db/d?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.crt&sslkey=/c.key")
        #expect(url.sslCertificate == "/c.crt" && url.sslKey == "/c.key")
        #expect(url.redacted == "postgres://cse_cert@db:5432/d?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.crt&sslkey=/c.key")
        for (text, says) in [("postgres://u:s3cret-pw@h/d?sslcert=/c.crt", "sslcert= and sslkey= go together"),
                             ("postgres://u:s3cret-pw@h/d?sslkey=/c.key", "sslcert= and sslkey= go together"),
                             ("postgres://u:s3cret-pw@h/d?sslmode=disable&sslcert=/c.crt&sslkey=/c.key", "sslmode=disable")] {
            expectRefusal(text, says: [says]) { _ = try PostgresURL(parsing: text) }
        }
    }

    /// A user the server lets in only with a certificate its authority signed (scripts/postgres: `cse_cert`, pg_hba's
    /// `cert` method) gets in with sslcert and sslkey, and is refused without them.
    @Test func aServerThatAsksForAClientCertificateGetsOne() throws {
        guard let server = Self.server() else { return }
        var url = Self.asCertificateUser(server)
        let (store, drop) = try Self.open(url)
        defer { drop() }
        try store.put(StoreFixtures.cluster("by-certificate"), owner: .admin)
        #expect(try store.object(StoreFixtures.cluster("by-certificate").key) != nil)
        #expect(try Self.encryption(of: store) == "TLS")

        url.sslCertificate = nil
        url.sslKey = nil
        url.password = "s3cret-pw"
        expectRefusal("without a client certificate", says: ["cannot connect", "cse_cert@"]) {
            let (_, drop) = try Self.open(url)
            drop()
        }
    }

    /// As libpq does, a private key others can read is refused before it is used; the message names the file, never
    /// its contents.
    @Test func aClientKeyOthersCanReadIsRefused() throws {
        guard let server = Self.server() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-pg-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var url = Self.asCertificateUser(server)
        let exposed = directory.appendingPathComponent("client.key").path
        let keyText = try String(contentsOfFile: try #require(url.sslKey), encoding: .utf8)
        try keyText.write(toFile: exposed, atomically: false, encoding: .utf8)
        url.sslKey = exposed
        for mode in [0o644, 0o640, 0o604] {
            chmod(exposed, mode_t(mode))
            do {
                let (_, drop) = try Self.open(url)
                drop()
                Issue.record("a key with mode \(String(mode, radix: 8)) was used")
            } catch {
                let message = "\(error)"
                #expect(message.contains("sslkey \(exposed) can be read by others") && message.contains(String(mode, radix: 8)), "\(message)")
                #expect(!message.contains("PRIVATE KEY") && !message.contains(keyText.split(separator: "\n")[1]), "the key's contents leak")
            }
        }
    }

    @Test func anUnreadableRootCertificateIsAClearError() throws {
        let url = try PostgresURL(parsing: "postgres://cse:s3cret-pw@127.0.0.1:1/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
        expectRefusal("a missing sslrootcert", says: ["cannot read sslrootcert /nonexistent/ca.pem"]) {
            _ = try DesiredStateStore(postgres: url, path: "/nonexistent/store.sqlite")
        }
    }

    // MARK: helpers

    private static func server() -> (url: PostgresURL, authority: String)? {
        guard let text = TestEngine.postgresURL, let authority = ProcessInfo.processInfo.environment["CSE_TEST_POSTGRES_CA"],
              !authority.isEmpty, let url = try? PostgresURL(parsing: text) else { return nil }
        return (url, authority)
    }

    /// The server's URL as `cse_cert`, over verified TLS, with the client certificate and key scripts/postgres made for
    /// that user beside its authority.
    private static func asCertificateUser(_ server: (url: PostgresURL, authority: String)) -> PostgresURL {
        let directory = (server.authority as NSString).deletingLastPathComponent
        var url = server.url
        url.user = "cse_cert"
        url.sslMode = .verifyFull
        url.sslRootCertificate = server.authority
        url.sslCertificate = (directory as NSString).appendingPathComponent("client.crt")
        url.sslKey = (directory as NSString).appendingPathComponent("client.key")
        return url
    }

    /// A store in a fresh schema at `url`, and what drops that schema.
    private static func open(_ url: PostgresURL) throws -> (DesiredStateStore, () -> Void) {
        var url = url
        url.schema = "tls_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let store = try DesiredStateStore(postgres: url, path: "/nonexistent/store.sqlite")
        return (store, {
            try? (store.engine as? PostgresEngine)?.execute("DROP SCHEMA \(PostgresSchema.quoted(url.schema ?? "")) CASCADE")
            store.close()
        })
    }

    /// What the server says of the store's own connection: "TLS" or "none" (pg_stat_ssl).
    private static func encryption(of store: DesiredStateStore) throws -> String {
        try store.engine.read { session in
            let session = try #require(session as? PostgresSession)
            let rows = try session.connection.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: session.logger).rows
            return try #require(rows.first).decode(Bool.self) ? "TLS" : "none"
        }
    }

    /// A throwaway certificate authority of its own (openssl); returns its certificate's path.
    private static func makeAuthority(in directory: URL) throws -> String {
        let certificate = directory.appendingPathComponent("other-ca.crt").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-days", "1", "-subj", "/CN=another authority", "-keyout", directory.appendingPathComponent("other-ca.key").path,
                             "-out", certificate]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a certificate authority")
        return certificate
    }
}
