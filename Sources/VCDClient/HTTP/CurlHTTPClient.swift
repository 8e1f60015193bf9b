internal import CCurl
import Dispatch
import Foundation
import Logging
import Synchronization

/// HTTP over libcurl: TLS verified by default (or a CA bundle, or an explicit insecure switch), connect and
/// request timeouts, and connection reuse through a small pool of easy handles (a handle keeps its
/// connections between transfers). Blocking transfers run on threads of their own, not on Swift's cooperative pool.
public final class CurlHTTPClient: Sendable {
    public struct Options: Sendable {
        public var verifyTLS: Bool
        public var caBundle: String?
        public var connectTimeout: Duration
        public var requestTimeout: Duration
        public var maxIdleHandles: Int

        public init(verifyTLS: Bool = true, caBundle: String? = nil, connectTimeout: Duration = .seconds(10),
                    requestTimeout: Duration = .seconds(60), maxIdleHandles: Int = 8) {
            self.verifyTLS = verifyTLS
            self.caBundle = caBundle
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxIdleHandles = maxIdleHandles
        }
    }

    public let options: Options
    private let idle = Mutex<[EasyHandle]>([])
    private let logger: Logger?
    private let warnedInsecure = Mutex(false)

    private static let globalInit: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    /// With `verifyTLS` off, the first HTTPS transfer logs one warning to `logger`.
    public init(options: Options = Options(), logger: Logger? = nil) {
        _ = Self.globalInit
        self.options = options
        self.logger = logger
    }

    /// Warns once per client that certificates are not checked (anyone on the path could read the session).
    func warnIfUnverified(_ url: String) {
        guard !options.verifyTLS, url.lowercased().hasPrefix("https:"), let logger else { return }
        guard warnedInsecure.withLock({ warned in defer { warned = true }; return !warned }) else { return }
        // scheme://host:port only: no path or query, and no user information (`user:password@`) a URL may carry.
        var target = url.split(separator: "/", omittingEmptySubsequences: false).prefix(3).joined(separator: "/")
        if let at = target.lastIndex(of: "@"), let scheme = target.range(of: "://") { target.removeSubrange(scheme.upperBound...at) }
        logger.warning("TLS certificate verification is off for \(target) (verify: false): the connection is encrypted but not authenticated")
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            // A thread of its own per transfer: a blocking transfer on dispatch's global pool would take one of the
            // few threads Swift concurrency runs on (as many as cores on Linux), and an in-process server answering
            // it could starve.
            let thread = Thread {
                continuation.resume(with: Result { try self.perform(request) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs one transfer on the calling thread.
    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        warnIfUnverified(request.url)
        let handle = idle.withLock { $0.popLast() } ?? EasyHandle()
        defer {
            handle.reset()
            idle.withLock { if $0.count < options.maxIdleHandles { $0.append(handle) } }
        }
        let started = ContinuousClock.now
        do {
            let response = try handle.perform(request, options: options)
            VCDMetrics.record(method: request.method, url: request.url, status: response.status, duration: ContinuousClock.now - started)
            return response
        } catch {
            VCDMetrics.record(method: request.method, url: request.url, status: nil, duration: ContinuousClock.now - started)
            throw error
        }
    }
}

/// One libcurl easy handle; used by one thread at a time (the pool hands it out exclusively).
final class EasyHandle: @unchecked Sendable {
    private let curl: UnsafeMutableRawPointer

    init() {
        curl = curl_easy_init()
    }

    deinit {
        curl_easy_cleanup(curl)
    }

    /// `cse (pid N)`: the process, for servers' logs.
    static let userAgent = "cse (pid \(ProcessInfo.processInfo.processIdentifier))"

    /// Clears options but keeps open connections and caches for the next transfer.
    func reset() {
        curl_easy_reset(curl)
    }

    func perform(_ request: HTTPRequest, options: CurlHTTPClient.Options) throws -> HTTPResponse {
        let sink = ResponseSink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        // libcurl's own words for a failure ("SSL certificate problem: unable to get local issuer certificate"),
        // clearer than its error code's generic text.
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { cse_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil) }
        cse_curl_setopt_string(curl, CURLOPT_URL, request.url)
        cse_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        cse_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.milliseconds)
        cse_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, options.requestTimeout.milliseconds)
        cse_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        cse_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if let bundle = options.caBundle { cse_curl_setopt_string(curl, CURLOPT_CAINFO, bundle) }
        // Names the process (RFC 9110 User-Agent: product and comment), so a server's log tells replicas apart.
        cse_curl_setopt_string(curl, CURLOPT_USERAGENT, Self.userAgent)
        cse_curl_setopt_data_callback(curl, CURLOPT_WRITEFUNCTION, ResponseSink.bodyCallback)
        cse_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
        cse_curl_setopt_data_callback(curl, CURLOPT_HEADERFUNCTION, ResponseSink.headerCallback)
        cse_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)

        // libcurl silently re-sends a request when a reused connection dies before any answer byte (its "Connection died,
        // retrying a fresh connect"). For a POST that may already have reached vCD that is a second run: a
        // non-idempotent request gets a connection of its own, so a failure surfaces as a TransportError and the caller's
        // idempotent recovery (look for what the first attempt did) decides.
        if !request.isIdempotent { cse_curl_setopt_long(curl, CURLOPT_FRESH_CONNECT, 1) }
        switch (request.method, request.body) {
        case ("GET", nil): cse_curl_setopt_long(curl, CURLOPT_HTTPGET, 1)
        case ("HEAD", _): cse_curl_setopt_long(curl, CURLOPT_NOBODY, 1)
        default: cse_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            cse_curl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS: libcurl keeps its own copy, so the Swift buffer may go.
                _ = cse_curl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }
        // libcurl adds "Expect: 100-continue" to larger bodies; vCD and most servers do not need the extra round trip.
        for header in request.headers + [(name: "Expect", value: "")] {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        cse_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList)

        let code = errorText.withUnsafeMutableBufferPointer { buffer in
            cse_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            return curl_easy_perform(curl)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TransportError(kind: Self.kind(of: code), code: Int(code.rawValue),
                                 message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                                 request: "\(request.method) \(request.url.split(separator: "?").first ?? "")")
        }
        var status = 0
        var connects = 0
        cse_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        cse_curl_getinfo_long(curl, CURLINFO_NUM_CONNECTS, &connects)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body, reusedConnection: connects == 0)
    }

    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: return .connect
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: return .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: return .tls
        default: return .other
        }
    }
}

/// Collects a response's body and headers from libcurl's callbacks.
final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]

    static let bodyCallback: cse_curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        if let data { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
        return length
    }

    static let headerCallback: cse_curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        guard let data else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            sink.headers = [:]  // a new response (after a redirect or 100 Continue) starts over
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            sink.headers[name] = sink.headers[name].map { "\($0), \(value)" } ?? value
        }
        return length
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
