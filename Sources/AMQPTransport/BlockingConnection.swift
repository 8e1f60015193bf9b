import CRabbitMQ
import Foundation

/// One rabbitmq-c connection with a consuming channel and a separate publishing channel. Every call
/// blocks, and rabbitmq-c is not thread-safe: only `AMQPConnection`'s serial queue may touch it.
///
/// Publishing uses its own channel because a publish to a missing exchange makes the broker close the
/// channel: on the consuming channel that would take the unacknowledged deliveries down with it.
final class BlockingConnection {
    private var state: amqp_connection_state_t?
    private let endpoint: String
    private let id: UInt64
    private static let consumeChannel: amqp_channel_t = 1
    private var publishChannel: amqp_channel_t?
    private var nextPublishChannel: amqp_channel_t = 2
    /// Exchanges seen to exist on this connection (see `verifyExchange`).
    private var knownExchanges: Set<String> = []

    init(endpoint: String, id: UInt64) {
        self.endpoint = endpoint
        self.id = id
    }

    var isOpen: Bool { state != nil }

    func open(_ url: AMQPURL, options: AMQPConnectionOptions) throws {
        guard let state = amqp_new_connection() else { throw AMQPError.connectionFailed(endpoint: endpoint, reason: "out of memory") }
        self.state = state
        do {
            let socket = try makeSocket(state, tls: url.tls)
            var connectTimeout = timeval(options.connectTimeout)
            let status = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &connectTimeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                if url.tls != nil, Self.isTLSFailure(status) {
                    throw AMQPError.tlsRefused(endpoint: endpoint, reason: Self.tlsText(status))
                }
                throw AMQPError.connectionFailed(endpoint: endpoint, reason: Self.text(status))
            }
            var rpcTimeout = timeval(options.rpcTimeout)
            _ = amqp_set_handshake_timeout(state, &rpcTimeout)
            _ = amqp_set_rpc_timeout(state, &rpcTimeout)
            let login = cse_amqp_login_plain(state, url.vhost, 0, 131_072, Int32(options.heartbeatSeconds), url.user, url.password)
            do {
                try check(login, during: "login")
            } catch let error as AMQPError {
                throw Self.asLoginRefusal(error, endpoint: endpoint)
            }
            amqp_channel_open(state, Self.consumeChannel)
            try check(amqp_get_rpc_reply(state), during: "channel.open")
        } catch {
            abandon()
            throw error
        }
    }

    /// A plain TCP socket, or rabbitmq-c's OpenSSL socket verifying the broker's certificate and host name.
    private func makeSocket(_ state: amqp_connection_state_t, tls: AMQPTLS?) throws -> OpaquePointer {
        guard let tls else {
            guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError.connectionFailed(endpoint: endpoint, reason: "cannot create socket") }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else { throw AMQPError.tlsRefused(endpoint: endpoint, reason: "cannot create a TLS socket") }
        if let caFile = tls.caFile, amqp_ssl_socket_set_cacert(socket, caFile) != AMQP_STATUS_OK.rawValue {
            throw AMQPError.tlsRefused(endpoint: endpoint, reason: "cannot read CA file \(caFile)")
        }
        switch (tls.certificateFile, tls.keyFile) {
        case let (certificate?, key?):
            if amqp_ssl_socket_set_key(socket, certificate, key) != AMQP_STATUS_OK.rawValue {
                throw AMQPError.tlsRefused(endpoint: endpoint, reason: "cannot use client certificate \(certificate) with its key")
            }
        case (nil, nil):
            break
        default:
            throw AMQPError.tlsRefused(endpoint: endpoint, reason: "a client certificate needs both a certificate file and a key file")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
        return socket
    }

    private static func isTLSFailure(_ status: Int32) -> Bool {
        [AMQP_STATUS_SSL_ERROR, AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED, AMQP_STATUS_SSL_PEER_VERIFY_FAILED,
         AMQP_STATUS_SSL_CONNECTION_FAILED].map(\.rawValue).contains(status)
    }

    private static func tlsText(_ status: Int32) -> String {
        switch status {
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue: return "the broker's certificate is not for this host name"
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue: return "the broker's certificate is not signed by a trusted CA"
        default: return text(status)
        }
    }

    // MARK: topology

    func declareExchange(_ name: String, type: String, durable: Bool) throws {
        let state = try liveState()
        let buffers = CBuffers()
        amqp_exchange_declare(state, Self.consumeChannel, buffers.bytes(name), buffers.bytes(type), 0, durable ? 1 : 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), during: "exchange.declare \(name)")
    }

    /// Declares a queue (or with `passive`, only checks it exists) and returns how many messages it holds.
    @discardableResult
    func declareQueue(_ name: String, durable: Bool, passive: Bool) throws -> UInt32 {
        let state = try liveState()
        let buffers = CBuffers()
        let ok = amqp_queue_declare(state, Self.consumeChannel, buffers.bytes(name), passive ? 1 : 0, durable ? 1 : 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), during: "queue.declare \(name)")
        return ok?.pointee.message_count ?? 0
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) throws {
        let state = try liveState()
        let buffers = CBuffers()
        amqp_queue_bind(state, Self.consumeChannel, buffers.bytes(queue), buffers.bytes(exchange), buffers.bytes(routingKey), amqp_empty_table)
        try check(amqp_get_rpc_reply(state), during: "queue.bind \(queue)")
    }

    func deleteQueue(_ name: String) throws {
        let state = try liveState()
        let buffers = CBuffers()
        amqp_queue_delete(state, Self.consumeChannel, buffers.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), during: "queue.delete \(name)")
    }

    func deleteExchange(_ name: String) throws {
        let state = try liveState()
        let buffers = CBuffers()
        amqp_exchange_delete(state, Self.consumeChannel, buffers.bytes(name), 0)
        try check(amqp_get_rpc_reply(state), during: "exchange.delete \(name)")
    }

    func setPrefetch(_ count: UInt16) throws {
        let state = try liveState()
        amqp_basic_qos(state, Self.consumeChannel, 0, count, 0)
        try check(amqp_get_rpc_reply(state), during: "basic.qos")
    }

    /// Starts a consumer with manual acknowledgement; returns the broker's consumer tag.
    func consume(queue: String) throws -> String {
        let state = try liveState()
        let buffers = CBuffers()
        let ok = amqp_basic_consume(state, Self.consumeChannel, buffers.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), during: "basic.consume \(queue)")
        return ok?.pointee.consumer_tag.string ?? ""
    }

    // MARK: deliveries

    /// Waits up to `timeout` for a delivery; nil when none came. Waiting is also what services heartbeats.
    func receive(timeout: Duration) throws -> AMQPDelivery? {
        let state = try liveState()
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        if reply.reply_type == AMQP_RESPONSE_NORMAL {
            defer { amqp_destroy_envelope(&envelope) }
            return AMQPDelivery(
                body: envelope.message.body.data, deliveryTag: envelope.delivery_tag, redelivered: envelope.redelivered != 0,
                exchange: envelope.exchange.string, routingKey: envelope.routing_key.string,
                properties: AMQPProperties(envelope.message.properties), connectionID: id)
        }
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
            if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { return nil }
            if reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                try handleFrameOtherThanDelivery(state)
                return nil
            }
        }
        try check(reply, during: "receive")
        return nil
    }

    /// The socket to wait on for input, or nil when rabbitmq-c already holds input read earlier (then a receive that
    /// does not wait finds it).
    func socketToWaitOn() throws -> Int32? {
        let state = try liveState()
        if amqp_data_in_buffer(state) != 0 || amqp_frames_enqueued(state) != 0 { return nil }
        return amqp_get_sockfd(state)
    }

    func ack(_ deliveryTag: UInt64) throws {
        let state = try liveState()
        try checkStatus(amqp_basic_ack(state, Self.consumeChannel, deliveryTag, 0), during: "basic.ack")
    }

    func nack(_ deliveryTag: UInt64, requeue: Bool) throws {
        let state = try liveState()
        try checkStatus(amqp_basic_nack(state, Self.consumeChannel, deliveryTag, 0, requeue ? 1 : 0), during: "basic.nack")
    }

    func publish(exchange: String, routingKey: String, body: Data, properties: AMQPProperties) throws {
        let state = try liveState()
        let channel = try openPublishChannel(state)
        try verifyExchange(exchange, on: channel, state)
        let buffers = CBuffers()
        var raw = amqp_basic_properties_t()
        var flags: UInt32 = 0
        if let value = properties.contentType { raw.content_type = buffers.bytes(value); flags |= UInt32(AMQP_BASIC_CONTENT_TYPE_FLAG) }
        if let value = properties.correlationID { raw.correlation_id = buffers.bytes(value); flags |= UInt32(AMQP_BASIC_CORRELATION_ID_FLAG) }
        if let value = properties.replyTo { raw.reply_to = buffers.bytes(value); flags |= UInt32(AMQP_BASIC_REPLY_TO_FLAG) }
        if let value = properties.messageID { raw.message_id = buffers.bytes(value); flags |= UInt32(AMQP_BASIC_MESSAGE_ID_FLAG) }
        if let value = properties.appID { raw.app_id = buffers.bytes(value); flags |= UInt32(AMQP_BASIC_APP_ID_FLAG) }
        if properties.persistent { raw.delivery_mode = 2; flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG) }
        if !properties.headers.isEmpty { raw.headers = buffers.table(properties.headers); flags |= UInt32(AMQP_BASIC_HEADERS_FLAG) }
        raw._flags = flags
        let payload = buffers.bytes([UInt8](body))
        let status = amqp_basic_publish(state, channel, buffers.bytes(exchange), buffers.bytes(routingKey), 0, 0, &raw, payload)
        withExtendedLifetime(buffers) {}
        try checkStatus(status, during: "basic.publish")
    }

    // MARK: closing

    func close() {
        guard let state else { return }
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
        self.state = nil
    }

    /// Drops the socket without a goodbye, as a crash would: the broker requeues unacknowledged deliveries.
    func abandon() {
        guard let state else { return }
        amqp_destroy_connection(state)
        self.state = nil
    }

    deinit { abandon() }

    // MARK: internals

    private func liveState() throws -> amqp_connection_state_t {
        guard let state else { throw AMQPError.closed }
        return state
    }

    private func openPublishChannel(_ state: amqp_connection_state_t) throws -> amqp_channel_t {
        if let publishChannel { return publishChannel }
        // A fresh number each time: rabbitmq-c may still hold state for a channel the broker closed.
        let channel = nextPublishChannel
        nextPublishChannel = nextPublishChannel == 2000 ? 2 : nextPublishChannel + 1
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), during: "channel.open")
        publishChannel = channel
        return channel
    }

    /// Checks once per connection that an exchange exists before publishing to it. A publish to a missing
    /// exchange fails only later, by the broker closing the channel, after the message was silently dropped
    /// (and its delivery perhaps acknowledged); a passive declare fails at once, with the broker's text.
    private func verifyExchange(_ exchange: String, on channel: amqp_channel_t, _ state: amqp_connection_state_t) throws {
        guard !exchange.isEmpty, !knownExchanges.contains(exchange) else { return }  // "" is the default exchange
        let buffers = CBuffers()
        amqp_exchange_declare(state, channel, buffers.bytes(exchange), buffers.bytes("direct"), 1, 0, 0, 0, amqp_empty_table)
        let reply = amqp_get_rpc_reply(state)
        if reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION, reply.reply.id == Self.channelClose {
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError.channelClosedByBroker(code: Int(close.reply_code), text: close.reply_text.string, during: "publish")
            var ok = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, channel, Self.channelCloseOK, &ok)
            // Only the publishing channel is gone; the consuming channel and its deliveries are intact.
            publishChannel = nil
            throw error
        }
        try check(reply, during: "exchange.declare (passive) \(exchange)")
        knownExchanges.insert(exchange)
    }

    /// amqp_consume_message stops at any frame that is not a delivery; the broker closing a channel or the
    /// connection arrives this way.
    private func handleFrameOtherThanDelivery(_ state: amqp_connection_state_t) throws {
        var frame = amqp_frame_t()
        try checkStatus(amqp_simple_wait_frame(state, &frame), during: "receive")
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        let method = frame.payload.method
        switch method.id {
        case Self.channelClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError.channelClosedByBroker(code: Int(close.reply_code), text: close.reply_text.string,
                                                        during: frame.channel == Self.consumeChannel ? "consume" : "publish")
            var ok = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, frame.channel, Self.channelCloseOK, &ok)
            if frame.channel == Self.consumeChannel {
                abandon()
            } else {
                publishChannel = nil
            }
            throw error
        case Self.connectionClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = AMQPError.connectionClosedByBroker(code: Int(close.reply_code), text: close.reply_text.string, during: "receive")
            var ok = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, Self.connectionCloseOK, &ok)
            abandon()
            throw error
        default:
            return  // e.g. basic.cancel-ok or a stray ack: nothing to do
        }
    }

    // Method numbers (class << 16 | method) from the AMQP 0-9-1 spec; the C macros are casts Swift cannot import.
    private static let connectionClose: amqp_method_number_t = 0x000A_0032
    private static let connectionCloseOK: amqp_method_number_t = 0x000A_0033
    private static let channelClose: amqp_method_number_t = 0x0014_0028
    private static let channelCloseOK: amqp_method_number_t = 0x0014_0029

    private func check(_ reply: amqp_rpc_reply_t, during operation: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == Self.channelClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                // Copy the text first: it lives in the connection's memory, which abandon() frees.
                let error = AMQPError.channelClosedByBroker(code: Int(close.reply_code), text: close.reply_text.string, during: operation)
                // The channel is gone; cse treats that as the end of the connection and reconnects.
                abandon()
                throw error
            }
            if reply.reply.id == Self.connectionClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let error = AMQPError.connectionClosedByBroker(code: Int(close.reply_code), text: close.reply_text.string, during: operation)
                if let state {
                    var ok = amqp_connection_close_ok_t()
                    _ = amqp_send_method(state, 0, Self.connectionCloseOK, &ok)
                }
                abandon()
                throw error
            }
            abandon()
            throw AMQPError.connectionLost(during: operation, reason: "unexpected broker method \(reply.reply.id)")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            abandon()
            throw AMQPError.connectionLost(during: operation, reason: Self.text(reply.library_error))
        default:
            abandon()
            throw AMQPError.connectionLost(during: operation, reason: "no reply from the broker")
        }
    }

    private func checkStatus(_ status: Int32, during operation: String) throws {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        abandon()
        throw AMQPError.connectionLost(during: operation, reason: Self.text(status))
    }

    private static func text(_ status: Int32) -> String {
        amqp_error_string2(status).map { String(cString: $0) } ?? "error \(status)"
    }

    private static func asLoginRefusal(_ error: AMQPError, endpoint: String) -> AMQPError {
        switch error {
        case .connectionClosedByBroker(let code, let text, _) where code == 403 || code == 530:
            return .loginRefused(endpoint: endpoint, reason: text)
        default:
            return error
        }
    }
}

extension AMQPProperties {
    init(_ raw: amqp_basic_properties_t) {
        func has(_ flag: Int32) -> Bool { raw._flags & UInt32(flag) != 0 }
        self.init(
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? raw.content_type.string : nil,
            correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? raw.correlation_id.string : nil,
            replyTo: has(AMQP_BASIC_REPLY_TO_FLAG) ? raw.reply_to.string : nil,
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? raw.message_id.string : nil,
            appID: has(AMQP_BASIC_APP_ID_FLAG) ? raw.app_id.string : nil,
            persistent: has(AMQP_BASIC_DELIVERY_MODE_FLAG) && raw.delivery_mode == 2,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? raw.headers.stringValues : [:])
    }
}
