import Foundation
import Testing
import AMQPTransport

/// AMQP over TLS against a RabbitMQ of the test's own with a TLS listener, certificates from a private CA made at
/// run time: the right CA (and a client certificate, which the broker demands) connects; a CA the broker's
/// certificate is not signed by, or a host name it is not for, is refused at once with a clear error.
@Suite(.enabled(if: ScratchBroker.isAvailable, "RabbitMQ is not installed (.ci/install-packages): cannot start a TLS broker"),
       .enabled(if: TestPKI.isAvailable, "openssl is not installed (.ci/install-packages): cannot make a CA"))
struct AMQPTLSTests {
    @Test(.timeLimit(.minutes(3)))
    func brokerOverTLSIsVerifiedByCAAndHostName() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        // Ranges apart from other scratch brokers' (5673...5699), so parallel tests never pick the same port.
        let port = try #require(ScratchBroker.freePort(in: 5740...5769), "no free port for a TLS RabbitMQ")
        let tlsPort = try #require((5840...5869).first { !ScratchBroker.isListening($0) }, "no free TLS port")
        let broker = ScratchBroker(port: port, config: """
            listeners.ssl.default = 127.0.0.1:\(tlsPort)
            ssl_options.cacertfile = \(pki.caFile)
            ssl_options.certfile = \(pki.localhostCertificate)
            ssl_options.keyfile = \(pki.localhostKey)
            ssl_options.verify = verify_peer
            ssl_options.fail_if_no_peer_cert = true

            """)
        defer { broker.remove() }
        try await broker.start()
        do {
            try await waitUntilListening(tlsPort)
            try await exercise(pki: pki, tlsPort: tlsPort)
        } catch {
            try? await broker.stop()
            throw error
        }
        try await broker.stop()
    }

    private func exercise(pki: TestPKI, tlsPort: Int) async throws {
        let options = AMQPConnectionOptions(connectTimeout: .seconds(10), rpcTimeout: .seconds(20))
        let trusted = AMQPTLS(caFile: pki.caFile, certificateFile: pki.clientCertificate, keyFile: pki.clientKey)

        // The right CA, the name on the certificate, a client certificate: a working connection.
        let connection = try await AMQPConnection.connect(to: AMQPURL(host: "localhost", port: tlsPort, tls: trusted), options: options)
        let queue = "cse-tls-\(UUID().uuidString.prefix(8))"
        try await connection.declareQueue(queue, durable: false)
        try await connection.publish(exchange: "", routingKey: queue, body: Data("over TLS".utf8))
        _ = try await connection.consume(queue: queue)
        let delivery = try await connection.receive(timeout: .seconds(30))
        #expect(delivery?.body == Data("over TLS".utf8))
        if let delivery { try await connection.ack(delivery) }
        try await connection.deleteQueue(queue)
        await connection.close()

        // A CA that did not sign the broker's certificate.
        var otherCA = trusted
        otherCA.caFile = pki.otherCAFile
        let untrusted = await refusal(AMQPURL(host: "localhost", port: tlsPort, tls: otherCA), options: options)
        #expect(untrusted?.contains("not signed by a trusted CA") == true, "\(untrusted ?? "connected")")

        // The right CA, but a host name the certificate is not for (it names localhost only).
        let wrongHost = await refusal(AMQPURL(host: "127.0.0.1", port: tlsPort, tls: trusted), options: options)
        #expect(wrongHost?.contains("not for this host name") == true, "\(wrongHost ?? "connected")")

        // Without a client certificate the broker (fail_if_no_peer_cert) refuses.
        var anonymous = trusted
        anonymous.certificateFile = nil
        anonymous.keyFile = nil
        let noClientCertificate = await refusal(AMQPURL(host: "localhost", port: tlsPort, tls: anonymous), options: options)
        #expect(noClientCertificate != nil)

        // Plain AMQP to the TLS port does not get in either.
        let plain = await refusal(AMQPURL(host: "127.0.0.1", port: tlsPort), options: options)
        #expect(plain != nil)
    }

    /// The error text of a refused connection (nil when it connected), failing the test when refusing took long.
    private func refusal(_ url: AMQPURL, options: AMQPConnectionOptions) async -> String? {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let connection = try await AMQPConnection.connect(to: url, options: options)
            await connection.close()
            return nil
        } catch {
            #expect(clock.now - start < .seconds(30), "refusing \(url) took \(clock.now - start)")
            if case .tlsRefused = error { #expect(!error.isTransient) }
            return error.description
        }
    }

    private func waitUntilListening(_ port: Int) async throws {
        for _ in 0..<240 where !ScratchBroker.isListening(port) {
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(ScratchBroker.isListening(port), "the TLS listener on \(port) did not open")
    }
}
