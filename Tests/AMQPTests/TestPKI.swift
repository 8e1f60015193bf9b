import Foundation

/// A private certificate authority made with `openssl` in a temporary directory, for one test run: a CA, a second
/// CA nobody trusts, server certificates (for `localhost` and 127.0.0.1, and one for another name) and a client
/// certificate, all PEM.
struct TestPKI: Sendable {
    let directory: URL

    var caFile: String { path("ca.pem") }
    var otherCAFile: String { path("other-ca.pem") }
    /// For DNS:localhost and IP:127.0.0.1.
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    /// For DNS:localhost only (a broker's: rabbitmq-c checks DNS names).
    var localhostCertificate: String { path("localhost.pem") }
    var localhostKey: String { path("localhost.key") }
    /// For DNS:elsewhere.example only.
    var wrongNameCertificate: String { path("elsewhere.pem") }
    var wrongNameKey: String { path("elsewhere.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    static func make() async throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-pki-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        try await pki.makeCA("ca", name: "cse test CA")
        try await pki.makeCA("other-ca", name: "untrusted test CA")
        try await pki.issue("server", commonName: "localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try await pki.issue("localhost", commonName: "localhost", extensions: "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try await pki.issue("elsewhere", commonName: "elsewhere.example", extensions: "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n")
        try await pki.issue("client", commonName: "cse", extensions: "extendedKeyUsage=clientAuth\n")
        return pki
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func makeCA(_ name: String, name subject: String) async throws {
        try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).pem"),
                           "-days", "2", "-subj", "/CN=\(subject)", "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private func issue(_ name: String, commonName: String, extensions: String) async throws {
        try (extensions + "basicConstraints=CA:FALSE\n").write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
                           "-subj", "/CN=\(commonName)"])
        try await openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", caFile, "-CAkey", path("ca.key"),
                           "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2", "-sha256",
                           "-extfile", path("\(name).ext"), "-out", path("\(name).pem")])
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs openssl on a thread of its own (not the concurrency pool's).
    private func openssl(_ arguments: [String]) async throws {
        let log = path("openssl.log")
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
                process.arguments = arguments
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                let output = FileHandle(forWritingAtPath: log)
                process.standardOutput = output
                process.standardError = output
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    process.waitUntilExit()
                    try? output?.close()
                    if process.terminationStatus == 0 {
                        continuation.resume()
                    } else {
                        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                        continuation.resume(throwing: Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(text)"))
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
