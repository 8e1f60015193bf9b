import AMQPTransport

/// Where vCD wants the answer to a request: the exchange in the `replyToExchange` header, the `reply_to`
/// property as routing key, and the `correlation_id` to echo.
struct ReplyAddress: Sendable, Equatable {
    var exchange: String
    var routingKey: String
    var correlationID: String?

    /// nil when the message names no reply queue (vCD always does; then nobody is waiting for an answer).
    init?(_ properties: AMQPProperties) {
        guard let routingKey = properties.replyTo, !routingKey.isEmpty else { return nil }
        self.exchange = properties.headers["replyToExchange"] ?? ""
        self.routingKey = routingKey
        self.correlationID = properties.correlationID
    }

    /// Reply properties as CSE sends them: the correlation id, and JSON as the content type.
    var properties: AMQPProperties {
        AMQPProperties(contentType: "application/json", correlationID: correlationID)
    }
}
