import Testing
@testable import Spec

@Suite("store in config.yaml")
struct StoreConfigTests {
    @Test func aPostgresURLAndItsPasswordReferenceAreRead() throws {
        let config = try ConfigLoader.load(text: """
            store:
              path: state/store.sqlite
              url: postgres://cse@db.example:5432/cse?schema=prod
              password: {env: CSE_STORE_PASSWORD}
            """, file: "/etc/cse/config.yaml")
        #expect(config.store.url == "postgres://cse@db.example:5432/cse?schema=prod")
        #expect(config.store.password == .environment("CSE_STORE_PASSWORD"))
        #expect(config.store.path == "/etc/cse/state/store.sqlite")
        #expect(try ConfigLoader.load(text: "store:\n  path: s.sqlite\n", file: "c.yaml").store.url == nil, "SQLite stays the default")
    }

    @Test func relativeTLSFilesAreTakenFromTheConfigFilesFolder() throws {
        let relative = try ConfigLoader.load(text: """
            store:
              url: postgres://cse@db.example/cse?sslmode=verify-full&sslrootcert=tls/db-ca.pem&sslcert=tls/cse.crt&sslkey=tls/cse.key
            """, file: "/etc/cse/config.yaml")
        #expect(relative.store.url == "postgres://cse@db.example/cse?sslmode=verify-full&sslrootcert=/etc/cse/tls/db-ca.pem"
                    + "&sslcert=/etc/cse/tls/cse.crt&sslkey=/etc/cse/tls/cse.key")
        let absolute = try ConfigLoader.load(text: """
            store:
              url: postgres://cse@db.example/cse?sslrootcert=/srv/ca.pem&schema=prod
            """, file: "/etc/cse/config.yaml")
        #expect(absolute.store.url == "postgres://cse@db.example/cse?sslrootcert=/srv/ca.pem&schema=prod")
    }

    @Test func anUnknownSSLModeIsRefusedAtItsLine() throws {
        let errors = refusal("store:\n  path: s.sqlite\n  url: postgres://cse@db/cse?sslmode=verify_full\n")
        #expect(errors.contains("config.yaml:3:") && errors.contains("sslmode 'verify_full' is not one of"), "\(errors)")
        #expect(try ConfigLoader.load(text: "store:\n  url: postgres://cse@db/cse?sslmode=verify-ca\n", file: "c.yaml").store.url != nil)
    }

    /// Every mistake the store's parser refuses is reported at its line, not later when the store opens.
    @Test(arguments: [
        ("postgres://cse@db/cse?sslcompression=1", "unknown parameter 'sslcompression'"),
        ("postgres://cse@db/cse?schema=", "schema= needs a name"),
        ("postgres://db/cse", "names no user"),
        ("postgres://cse@db/", "names no database"),
        ("postgres://cse@db/cse?sslmode=disable&sslrootcert=ca.pem", "sslrootcert= is given but sslmode=disable turns TLS off"),
        ("postgres://cse@db/cse?sslcert=cse.crt", "sslcert= and sslkey= go together"),
    ])
    func anyURLTheStoreWouldRefuseIsRefusedAtItsLine(url: String, reason: String) throws {
        let errors = refusal("store:\n  path: s.sqlite\n  url: \(url)\n")
        #expect(errors.contains("config.yaml:3:") && errors.contains("'store.url': \(reason)"), "\(errors)")
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingRepeated() throws {
        let errors = refusal("store:\n  url: postgres://cse:hunter2@db:5432/cse\n")
        #expect(errors.contains("config.yaml:2:") && errors.contains("store.password"), "\(errors)")
        #expect(!errors.contains("hunter2"))
        #expect(throws: ValidationErrors.self) { try ConfigLoader.load(text: "store:\n  url: mysql://cse@db/cse\n", file: "config.yaml") }
    }

    /// What loading `text` as config.yaml reports (a recorded issue when it loads).
    private func refusal(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try ConfigLoader.load(text: text, file: "config.yaml")
            Issue.record("the config was accepted", sourceLocation: sourceLocation)
            return ""
        } catch {
            return "\(error)"
        }
    }
}
