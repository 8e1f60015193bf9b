import Foundation

/// The basic-class properties cse reads and writes.
public struct AMQPProperties: Sendable, Equatable {
    public var contentType: String?
    public var correlationID: String?
    public var replyTo: String?
    public var messageID: String?
    public var appID: String?
    /// Survives a broker restart when the queue is durable (delivery mode 2).
    public var persistent: Bool
    /// String-valued view of the headers table (numbers and booleans as text; nested tables are dropped).
    public var headers: [String: String]

    public init(contentType: String? = nil, correlationID: String? = nil, replyTo: String? = nil, messageID: String? = nil,
                appID: String? = nil, persistent: Bool = false, headers: [String: String] = [:]) {
        self.contentType = contentType
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.messageID = messageID
        self.appID = appID
        self.persistent = persistent
        self.headers = headers
    }
}

/// One message handed to a consumer; ack or nack it by its tag on the connection it came from.
public struct AMQPDelivery: Sendable, Equatable {
    public var body: Data
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPProperties
    /// The connection that delivered it: a tag means nothing on any other connection.
    public var connectionID: UInt64
}
