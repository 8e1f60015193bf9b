/// TLS for a broker connection (`amqps`): the peer's certificate is verified against `caFile` (else the system's
/// trust store) and its name against the host connected to, unless `verifyPeer` is false. A client certificate
/// and key, both PEM files, are sent when the broker asks for one.
public struct AMQPTLS: Sendable, Equatable {
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    public var verifyPeer: Bool

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, verifyPeer: Bool = true) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyPeer = verifyPeer
    }
}
