import Testing
@testable import Spec

@Suite("service.http.listen in config.yaml")
struct HTTPListenTests {
    @Test func absentMeansNotServed() throws {
        #expect(try ConfigLoader.load(text: "service:\n  listeners: 2\n", file: "config.yaml").service.httpListen == nil)
    }

    @Test func addressesAndPortsAreRead() throws {
        let config = try ConfigLoader.load(text: "service:\n  http:\n    listen: 127.0.0.1:9464\n", file: "config.yaml")
        #expect(config.service.httpListen == HTTPListen(host: "127.0.0.1", port: 9464))
        #expect(try HTTPListen.parse("[::1]:9464").get() == HTTPListen(host: "::1", port: 9464))
        #expect(try HTTPListen.parse("localhost:80").get() == HTTPListen(host: "localhost", port: 80))
        #expect(HTTPListen(host: "::1", port: 9464).description == "[::1]:9464")
    }

    @Test(arguments: [
        ("127.0.0.1", "HOST:PORT"), ("127.0.0.1:0", "from 1 to 65535"), ("127.0.0.1:99999", "from 1 to 65535"),
        (":9464", "host is missing"), ("127.0.0.1:http", "from 1 to 65535"), ("::1:9464", "brackets"),
        ("[::1]9464", "[ADDRESS]:PORT"), ("my host:9464", "not an address"),
    ])
    func badValuesAreRefusedAtTheirPlace(value: String, reason: String) throws {
        do {
            _ = try ConfigLoader.load(text: "service:\n  http:\n    listen: '\(value)'\n", file: "config.yaml")
            Issue.record("'\(value)' was accepted")
        } catch let errors as ValidationErrors {
            #expect("\(errors)".contains("config.yaml:3:13"), "\(errors)")
            #expect("\(errors)".contains("service.http.listen"))
            #expect("\(errors)".contains(reason), "\(errors)")
        }
    }

    @Test func listenIsRequiredInAnHTTPSectionAndNothingElseIsTaken() throws {
        #expect(throws: ValidationErrors.self) { try ConfigLoader.load(text: "service:\n  http:\n    port: 9464\n", file: "config.yaml") }
    }
}
