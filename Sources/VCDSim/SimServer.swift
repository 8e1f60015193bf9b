import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore

/// Serves a `Simulator` over HTTP on loopback. Tests and the embedded default start one in-process on a
/// free port; `cse sim` runs one in the foreground.
public final class SimServer: Sendable {
    public let simulator: Simulator
    /// `http://127.0.0.1:PORT`, or `https://` when serving TLS
    public let baseURL: String
    private let serverTask: Task<Void, any Error>

    private init(simulator: Simulator, baseURL: String, serverTask: Task<Void, any Error>) {
        self.simulator = simulator
        self.baseURL = baseURL
        self.serverTask = serverTask
    }

    /// Starts serving (HTTPS with `tls`); `port` 0 picks a free one. Returns once the server accepts connections.
    public static func start(_ simulator: Simulator, host: String = "127.0.0.1", port: Int = 0, tls: SimTLS? = nil,
                             logger: Logger = Logger(label: "cse.sim")) async throws -> SimServer {
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0.serverConfiguration()) } ?? .http1()
        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<SimRequestContext> { request, context in
            try await Self.respond(request, context: context, simulator: simulator)
        }
        var quiet = logger
        // The server library logs expected shutdown noise (cancelled child channels) as errors.
        quiet.logLevel = max(logger.logLevel, .critical)
        let app = Application(responder: responder, server: server, configuration: .init(address: .hostname(host, port: port), serverName: "cse-sim"),
                              onServerRunning: { channel in
                                  boundContinuation.yield(channel.localAddress?.port ?? port)
                                  boundContinuation.finish()
                              }, logger: quiet)
        // Ends the stream when the server stops, so that a failed bind (port taken) is an error, not a wait for ever.
        let task = Task {
            defer { boundContinuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = bound.makeAsyncIterator()
        guard let actualPort = await iterator.next() else {
            task.cancel()
            _ = try? await task.value
            throw SimSetupError("the simulator could not listen on \(host):\(port)")
        }
        let baseURL = "\(tls == nil ? "http" : "https")://\(host):\(actualPort)"
        await simulator.setBaseURL(baseURL)
        return SimServer(simulator: simulator, baseURL: baseURL, serverTask: task)
    }

    /// Stops serving and waits until the listener is closed.
    public func stop() async {
        serverTask.cancel()
        _ = try? await serverTask.value
    }

    /// Runs until the task is cancelled (the `cse sim` command).
    public func wait() async throws {
        try await serverTask.value
    }

    private static func respond(_ request: Request, context: SimRequestContext, simulator: Simulator) async throws -> Response {
        let body = try await request.body.collect(upTo: 256 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let query = request.uri.query.map(SimRequest.parseQuery) ?? [:]
        let answer = await simulator.handle(SimRequest(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                                                       body: Data(buffer: body)))
        if answer.dropConnection {
            // An injected connection reset: close without a response.
            try? await context.channel.close()
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// The request context the simulator needs: the channel, to drop it for an injected reset.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
