import AMQPTransport
import Logging
import Spec

extension AMQPConfig {
    /// The broker URL of this section: `amqps` with its TLS files when `ssl` is on. `ssl_accept_all` turns
    /// certificate checks off, with one warning.
    func url(logger: Logger) throws -> AMQPURL {
        var tls: AMQPTLS?
        if ssl {
            tls = AMQPTLS(caFile: sslCAFile, certificateFile: sslCertFile, keyFile: sslKeyFile, verifyPeer: !sslAcceptAll)
            if sslAcceptAll {
                logger.warning("TLS certificate verification is off for AMQP broker \(host):\(port) (ssl_accept_all: true): the connection is encrypted but not authenticated")
            }
        }
        return AMQPURL(host: host, port: port, user: username, password: try password.resolve(), vhost: vhost, tls: tls)
    }
}
