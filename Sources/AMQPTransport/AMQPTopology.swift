/// The broker objects a consumer needs: a durable direct exchange, a durable queue bound to it with a
/// routing key, and how many unacknowledged messages the broker may push ahead.
public struct AMQPTopology: Sendable, Equatable {
    public var exchange: String
    public var queue: String
    public var routingKey: String
    public var prefetch: UInt16

    public init(exchange: String, queue: String, routingKey: String? = nil, prefetch: UInt16 = 16) {
        self.exchange = exchange
        self.queue = queue
        // vCD's convention (and CSE's): the queue is named after the routing key.
        self.routingKey = routingKey ?? queue
        self.prefetch = prefetch
    }
}

/// Timeouts and heartbeats of one connection.
public struct AMQPConnectionOptions: Sendable, Equatable {
    public var connectTimeout: Duration
    /// Bounds every synchronous request (declare, bind, consume...) so a silent broker is noticed.
    public var rpcTimeout: Duration
    /// Heartbeat interval the client asks for; the connection counts as lost after two missed ones.
    public var heartbeatSeconds: Int

    public init(connectTimeout: Duration = .seconds(5), rpcTimeout: Duration = .seconds(10), heartbeatSeconds: Int = 30) {
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.heartbeatSeconds = heartbeatSeconds
    }
}
