import Crypto
import Foundation
import VCDClient

/// A template's source OVA on local disk: a file URL is used where it is, an http(s) URL is downloaded (streamed)
/// into a temporary file that `discard` removes.
struct SourceOVA {
    var path: String
    var isTemporary: Bool
    var size: Int64

    static func fetch(_ url: String) async throws -> SourceOVA {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased() else {
            throw ExecutionError.permanent("'\(url)' is not a URL")
        }
        switch scheme {
        case "file":
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: parsed.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value else {
                throw ExecutionError.permanent("cannot read \(parsed.path)")
            }
            return SourceOVA(path: parsed.path, isTemporary: false, size: size)
        case "http", "https":
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cse-ova-\(UUID().uuidString).ova").path
            let status: Int
            do {
                status = try await CurlHTTPClient().download(url, to: path)
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw ExecutionError.transient("downloading \(url): \(error)")
            }
            guard status == 200 else {
                try? FileManager.default.removeItem(atPath: path)
                let error = "downloading \(url) answered HTTP \(status)"
                throw status >= 500 ? ExecutionError.transient(error) : ExecutionError.permanent(error)
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            return SourceOVA(path: path, isTemporary: true, size: size)
        default:
            throw ExecutionError.permanent("cse reads OVAs from file, http or https URLs, not \(scheme)")
        }
    }

    func discard() {
        if isTemporary { try? FileManager.default.removeItem(atPath: path) }
    }

    /// SHA-1 of the file, read 1 MB at a time.
    func sha1() throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = Insecure.SHA1()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
