internal import CCurl
import Foundation

extension CurlHTTPClient {
    /// Streams `url` into the file at `path` (created or truncated), never holding the body in memory. There is no
    /// whole-transfer timeout (a large OVA takes as long as it takes); a transfer slower than 1 KB/s for a minute is
    /// given up. Returns the HTTP status; the file holds the body whatever the status.
    public func download(_ url: String, to path: String) async throws -> Int {
        let options = self.options
        warnIfUnverified(url)
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.performDownload(url, to: path, options: options) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func performDownload(_ url: String, to path: String, options: Options) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let output = FileHandle(forWritingAtPath: path) else {
            throw TransportError(kind: .other, code: 0, message: "cannot write \(path)", request: "GET \(url.split(separator: "?").first ?? "")")
        }
        defer { try? output.close() }
        let sink = FileSink(output)
        let curl = curl_easy_init()!
        defer { curl_easy_cleanup(curl) }
        cse_curl_setopt_string(curl, CURLOPT_URL, url)
        cse_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        cse_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
        cse_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.milliseconds)
        cse_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1024)
        cse_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, 60)
        cse_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        cse_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if let bundle = options.caBundle { cse_curl_setopt_string(curl, CURLOPT_CAINFO, bundle) }
        cse_curl_setopt_data_callback(curl, CURLOPT_WRITEFUNCTION, FileSink.callback)
        cse_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        let code = curl_easy_perform(curl)
        if let error = sink.error { throw error }
        guard code == CURLE_OK else {
            throw TransportError(kind: EasyHandle.kind(of: code), code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)),
                                 request: "GET \(url.split(separator: "?").first ?? "")")
        }
        var status = 0
        cse_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return status
    }
}

/// Writes what libcurl receives straight to a file.
private final class FileSink {
    let handle: FileHandle
    var error: (any Error)?

    init(_ handle: FileHandle) { self.handle = handle }

    static let callback: cse_curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<FileSink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        guard let data else { return length }
        do {
            try sink.handle.write(contentsOf: Data(bytesNoCopy: data, count: length, deallocator: .none))
        } catch {
            sink.error = error
            return 0  // libcurl aborts the transfer
        }
        return length
    }
}
