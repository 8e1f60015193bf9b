import HummingbirdTLS

/// The certificate (chain first, PEM) and private key (PEM) the simulator serves HTTPS with, as vCD does.
public struct SimTLS: Sendable {
    public var certificateFile: String
    public var keyFile: String

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    func serverConfiguration() throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
            guard !chain.isEmpty else { throw SimSetupError("\(certificateFile) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch let error as SimSetupError {
            throw error
        } catch {
            throw SimSetupError("cannot use TLS certificate \(certificateFile) with key \(keyFile): \(error)")
        }
    }
}
