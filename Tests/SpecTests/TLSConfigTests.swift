import Testing
import Spec

@Suite struct TLSConfigTests {
    private let amqp = """
        amqp:
          host: broker.example
          username: cse
          password: {env: CSE_AMQP_PASSWORD}

        """

    @Test func vcdIsVerifiedUnlessSaidOtherwise() throws {
        let base = "vcd:\n  host: vcd.example\n  username: administrator\n  password: {env: P}\n"
        let verified = try #require(try ConfigLoader.load(text: base, file: "c.yaml").vcd)
        #expect(verified.verify && verified.caBundle == nil)
        let custom = try #require(try ConfigLoader.load(text: base + "  verify: false\n  ca_bundle: /etc/ca.pem\n", file: "c.yaml").vcd)
        #expect(!custom.verify && custom.caBundle == "/etc/ca.pem")
    }

    @Test func amqpTLSFilesAreRead() throws {
        let text = amqp + "  ssl: true\n  ssl_ca_file: /etc/ca.pem\n  ssl_cert_file: /etc/c.pem\n  ssl_key_file: /etc/c.key\n"
        let config = try #require(try ConfigLoader.load(text: text, file: "c.yaml").amqp)
        #expect(config.ssl && !config.sslAcceptAll)
        #expect(config.sslCAFile == "/etc/ca.pem" && config.sslCertFile == "/etc/c.pem" && config.sslKeyFile == "/etc/c.key")
    }

    @Test(arguments: [
        ("  ssl: true\n  ssl_cert_file: /etc/c.pem\n", "c.yaml:6:18: 'amqp.ssl_cert_file' and 'amqp.ssl_key_file' go together"),
        ("  ssl_ca_file: /etc/ca.pem\n", "c.yaml:5:16: TLS files are given but 'amqp.ssl' is not true"),
    ])
    func inconsistentTLSSettingsAreRefusedWithTheirPlace(extra: String, message: String) {
        do {
            _ = try ConfigLoader.load(text: amqp + extra, file: "c.yaml")
            Issue.record("accepted: \(extra)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
