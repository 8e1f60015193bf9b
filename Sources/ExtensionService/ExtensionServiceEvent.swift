/// What the service tells its owner as it goes.
public enum ExtensionServiceEvent: Sendable, Equatable {
    /// A request changed desired state (the change is committed): time to wake the reconciler.
    case committed(requestID: String)
    /// A reply was published.
    case answered(requestID: String, status: Int)
    /// The delivery was acknowledged, after its change and its reply.
    case acknowledged(requestID: String)
    /// A message that is not a readable request (answered with an error and acknowledged).
    case rejected(reason: String)
}

extension ExtensionServiceEvent {
    /// An event stream and the handler that feeds it, for an owner that prefers `for await` to a callback.
    public static func stream(bufferingNewest limit: Int = 1024) -> (events: AsyncStream<ExtensionServiceEvent>, handler: @Sendable (ExtensionServiceEvent) -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: ExtensionServiceEvent.self, bufferingPolicy: .bufferingNewest(limit))
        return (stream, { continuation.yield($0) })
    }
}
