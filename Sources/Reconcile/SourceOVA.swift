import Crypto
import Foundation
import VCDClient

/// Reads a template's source OVA from its URL (file, http or https) and checks it.
enum SourceOVA {
    static func fetch(_ url: String) async throws -> Data {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased() else {
            throw ExecutionError.permanent("'\(url)' is not a URL")
        }
        switch scheme {
        case "file":
            do {
                return try Data(contentsOf: parsed)
            } catch {
                throw ExecutionError.permanent("cannot read \(parsed.path): \(error.localizedDescription)")
            }
        case "http", "https":
            let options = CurlHTTPClient.Options(requestTimeout: .seconds(3600))
            let response = try await CurlHTTPClient(options: options).send(HTTPRequest(method: "GET", url: url))
            guard response.status == 200 else {
                let error = "downloading \(url) answered HTTP \(response.status)"
                throw response.status >= 500 ? ExecutionError.transient(error) : ExecutionError.permanent(error)
            }
            return response.body
        default:
            throw ExecutionError.permanent("cse reads OVAs from file, http or https URLs, not \(scheme)")
        }
    }

    static func sha1(_ data: Data) -> String {
        Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
