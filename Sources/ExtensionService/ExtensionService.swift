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
    /// Requests served at once on this consumer (each acknowledged on its own once answered).
    let inFlight: Int

    public init(session: AMQPConsumerSession, api: ClusterAPI, logger: Logger = Logger(label: "cse.amqp.service"),
                pollInterval: Duration = .milliseconds(250), inFlight: Int = 16, hooks: Hooks = Hooks(),
                events: @escaping @Sendable (ExtensionServiceEvent) -> Void = { _ in }) {
        precondition(inFlight > 0, "at least one request in flight")
        self.session = session
        self.api = api
        self.logger = logger
        self.pollInterval = pollInterval
        self.inFlight = inFlight
        self.hooks = hooks
        self.events = events
    }

    /// Serves up to `inFlight` requests at once until the task is cancelled, then lets the ones in flight finish;
    /// throws only for configuration errors (a refused login, a topology the broker rejects).
    public func run() async throws {
        logger.info("serving vCD extension requests from \(session.url.redacted), queue \(session.topology.queue), \(inFlight) at once")
        let slots = InFlightSlots(limit: inFlight)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    if !slots.take() {
                        await slots.waitForOne()
                        continue
                    }
                    // Replies and acks of the requests in flight go ahead while this waits (see `AMQPConsumerSession.receive`).
                    let received: AMQPDelivery?
                    do {
                        received = try await session.receive(timeout: pollInterval)
                    } catch {
                        slots.release()
                        throw error
                    }
                    guard let delivery = received else {
                        slots.release()
                        continue
                    }
                    group.addTask {
                        await process(delivery, done: { slots.release() })
                    }
                }
            }
        } catch is CancellationError {
            // Stopping is the normal end.
        }
        // Requests answered may still wait for their last writes to commit before they are acknowledged: every commit
        // ends (the store's busy timeout bounds it), so this wait does too.
        await slots.waitUntilAllReleased()
        await session.close()
    }

    /// Serves one delivery and calls `done` exactly once, when the request was acknowledged or handed back: perhaps after
    /// this returned, from the store's committer once the request's last writes committed.
    func process(_ delivery: AMQPDelivery, done: @escaping @Sendable () -> Void) async {
        let address = ReplyAddress(delivery.properties)
        let started = ContinuousClock.now
        var method: String?
        let requestID: String
        let reply: ExtensionReply
        var handled: HandledRequest?
        do {
            let request = try ExtensionRequest.decode(delivery.body)
            requestID = request.id
            method = request.method
            let answer = await api.respond(to: request, mayBeRepeat: delivery.redelivered)
            handled = answer
            reply = answer.reply
            if Self.changesState(request, reply) { events(.committed(requestID: request.id)) }
        } catch {
            // Never the body or headers: they carry the tenant's session token.
            reply = MalformedMessage.reply(for: error)
            requestID = MalformedMessage.requestID(in: delivery.body) ?? delivery.properties.correlationID ?? ""
            logger.warning("rejected message (delivery \(delivery.deliveryTag), correlation id \(delivery.properties.correlationID ?? "none"), \(delivery.body.count) bytes): \(Self.reason(error))")
            events(.rejected(reason: Self.reason(error)))
        }
        let answered = await answer(reply, requestID: requestID, to: address)
        ExtensionServiceMetrics.answered(method: method, status: reply.status, duration: ContinuousClock.now - started)
        if let beforeAck = hooks.beforeAck {
            await settleThenAck(handled, delivery, requestID: requestID, answered: answered, beforeAck: beforeAck)
            done()
            return
        }
        // The writes that record the answer commit (with other requests' writes) before the ack, also when the answer
        // was not sent: the redelivery then finds it in the request log. The committer sends the ack once they committed,
        // without a switch back to this task. Sending a frame waits only while the socket's buffer is full: when the
        // broker stops reading (RabbitMQ blocks publishing connections under a memory or disk alarm), the committer waits
        // with this request's reply, which went out on the same connection just before; the tenant path has nothing to
        // do meanwhile, as its requests come through that broker, and the reconciler does not commit through it.
        let (session, logger, events) = (self.session, self.logger, self.events)
        let acknowledge: @Sendable (Result<Void, any Error>) -> Void = { result in
            switch result {
            case .success:
                if answered, session.ackNow(delivery) { events(.acknowledged(requestID: requestID)) }
            case .failure(let error):
                Self.recordingFailed(requestID, error, logger: logger)
                session.requeueNow(delivery)
            }
            done()
        }
        // A malformed message has nothing to record: it is acknowledged at once.
        if let handled { handled.settle(then: acknowledge) } else { acknowledge(.success(())) }
    }

    /// The path with the test seam between commit and ack: settles, asks the hook, then acknowledges.
    private func settleThenAck(_ handled: HandledRequest?, _ delivery: AMQPDelivery, requestID: String, answered: Bool,
                               beforeAck: @Sendable (_ requestID: String) async -> Bool) async {
        do {
            try await handled?.settle()
        } catch {
            Self.recordingFailed(requestID, error, logger: logger)
            await session.requeue(delivery)
            return
        }
        guard answered else { return }
        if await !beforeAck(requestID) {
            await session.dropConnection()
            return
        }
        if await session.ack(delivery) { events(.acknowledged(requestID: requestID)) }
    }

    private static func recordingFailed(_ requestID: String, _ error: any Error, logger: Logger) {
        logger.error("request \(requestID): recording its answer failed (\(error)); handing it back to the broker")
    }

    /// Publishes the reply; false when it was not sent and a redelivery could fix that (then the request is not
    /// acknowledged: the broker redelivers it and the request log answers it the same way).
    private func answer(_ reply: ExtensionReply, requestID: String, to address: ReplyAddress?) async -> Bool {
        guard let address else {
            logger.warning("request \(requestID) names no reply queue (reply_to); nobody gets the answer")
            return true
        }
        do {
            try await session.publish(exchange: address.exchange, routingKey: address.routingKey,
                                      body: reply.encoded(requestID: requestID), properties: address.properties)
            events(.answered(requestID: requestID, status: reply.status))
        } catch let error as AMQPError where error.isRejectedPublish {
            // The reply address is wrong (e.g. no such exchange): a redelivery could not fix that.
            logger.warning("reply to request \(requestID) refused by the broker (\(error)); acknowledging it anyway")
        } catch {
            logger.warning("reply to request \(requestID) not sent (\(error)); it will be redelivered")
            return false
        }
        return true
    }

    static func changesState(_ request: ExtensionRequest, _ reply: ExtensionReply) -> Bool {
        ["POST", "PUT", "DELETE"].contains(request.method) && (200..<300).contains(reply.status)
    }

    private static func reason(_ error: any Error) -> String {
        (error as? MessageError)?.description ?? "unreadable message"
    }
}
