import AMQPTransport
import Foundation
import Logging
import TenantAPI

/// Consumes vCD extension requests from AMQP, answers them through `ClusterAPI`, and acknowledges each
/// one only after its change is committed and its reply published. If the process or the broker goes
/// away in between, the broker redelivers the request and ClusterAPI's request log answers it again
/// without applying it twice.
public struct ExtensionService: Sendable {
    /// Test seams.
    public struct Hooks: Sendable {
        /// Runs after the reply is published, before the ack; returning false drops the connection instead
        /// of acknowledging, as if the process died right there.
        public var beforeAck: (@Sendable (_ requestID: String) async -> Bool)?

        public init(beforeAck: (@Sendable (_ requestID: String) async -> Bool)? = nil) {
            self.beforeAck = beforeAck
        }
    }

    let session: AMQPConsumerSession
    let api: ClusterAPI
    let logger: Logger
    let events: @Sendable (ExtensionServiceEvent) -> Void
    let hooks: Hooks
    /// How long one wait for a delivery lasts: the upper bound on noticing cancellation.
    let pollInterval: Duration

    public init(session: AMQPConsumerSession, api: ClusterAPI, logger: Logger = Logger(label: "cse.amqp.service"),
                pollInterval: Duration = .milliseconds(250), hooks: Hooks = Hooks(),
                events: @escaping @Sendable (ExtensionServiceEvent) -> Void = { _ in }) {
        self.session = session
        self.api = api
        self.logger = logger
        self.pollInterval = pollInterval
        self.hooks = hooks
        self.events = events
    }

    /// Serves requests one at a time until the task is cancelled; throws only for configuration errors
    /// (a refused login, a topology the broker rejects).
    public func run() async throws {
        logger.info("serving vCD extension requests from \(session.url.redacted), queue \(session.topology.queue)")
        do {
            while !Task.isCancelled {
                guard let delivery = try await session.receive(timeout: pollInterval) else { continue }
                await process(delivery)
            }
        } catch is CancellationError {
            // Stopping is the normal end.
        }
        await session.close()
    }

    func process(_ delivery: AMQPDelivery) async {
        let address = ReplyAddress(delivery.properties)
        let started = ContinuousClock.now
        var method: String?
        let requestID: String
        let reply: ExtensionReply
        do {
            let request = try ExtensionRequest.decode(delivery.body)
            requestID = request.id
            method = request.method
            reply = await api.handle(request)
            if Self.changesState(request, reply) { events(.committed(requestID: request.id)) }
        } catch {
            // Never the body or headers: they carry the tenant's session token.
            reply = MalformedMessage.reply(for: error)
            requestID = MalformedMessage.requestID(in: delivery.body) ?? delivery.properties.correlationID ?? ""
            logger.warning("rejected message (delivery \(delivery.deliveryTag), correlation id \(delivery.properties.correlationID ?? "none"), \(delivery.body.count) bytes): \(Self.reason(error))")
            events(.rejected(reason: Self.reason(error)))
        }
        defer { ExtensionServiceMetrics.answered(method: method, status: reply.status, duration: ContinuousClock.now - started) }
        if let address {
            do {
                try await session.publish(exchange: address.exchange, routingKey: address.routingKey,
                                          body: reply.encoded(requestID: requestID), properties: address.properties)
                events(.answered(requestID: requestID, status: reply.status))
            } catch let error as AMQPError where error.isRejectedPublish {
                // The reply address is wrong (e.g. no such exchange): a redelivery could not fix that.
                logger.warning("reply to request \(requestID) refused by the broker (\(error)); acknowledging it anyway")
            } catch {
                // Not acknowledged: the broker redelivers it and the request log answers it the same way.
                logger.warning("reply to request \(requestID) not sent (\(error)); it will be redelivered")
                return
            }
        } else {
            logger.warning("request \(requestID) names no reply queue (reply_to); nobody gets the answer")
        }
        if let beforeAck = hooks.beforeAck, await !beforeAck(requestID) {
            await session.dropConnection()
            return
        }
        if await session.ack(delivery) { events(.acknowledged(requestID: requestID)) }
    }

    static func changesState(_ request: ExtensionRequest, _ reply: ExtensionReply) -> Bool {
        ["POST", "PUT", "DELETE"].contains(request.method) && (200..<300).contains(reply.status)
    }

    private static func reason(_ error: any Error) -> String {
        (error as? MessageError)?.description ?? "unreadable message"
    }
}
