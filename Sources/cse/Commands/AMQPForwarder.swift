import VCDSim

/// Forwards extension requests over AMQP (lands with the AMQP transport).
enum AMQPForwarder {
    static func make(url: String) throws -> any ExtensionForwarder {
        throw SimSetupError("AMQP forwarding is not available in this build")
    }
}
