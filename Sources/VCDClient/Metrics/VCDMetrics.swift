import Foundation
import Metrics

/// What the client reports through swift-metrics (the executable picks the backend; without one nothing is kept):
/// every HTTP exchange with vCD, by method, normalized route and status, and its latency.
enum VCDMetrics {
    static let requests = "cse_vcd_requests_total"
    static let duration = "cse_vcd_request_duration_seconds"

    /// One exchange: `status` is the HTTP status, or nil when no answer came (connection, TLS, timeout).
    static func record(method: String, url: String, status: Int?, duration: Duration) {
        let route = VCDRoute.normalized(url)
        Counter(label: requests, dimensions: [("method", method), ("route", route), ("status", status.map(String.init) ?? "error")]).increment()
        Timer(label: Self.duration, dimensions: [("method", method), ("route", route)]).record(duration: duration)
    }
}

/// A URL reduced to the shape of its route, so a metric label never carries an href's ids, names or query values:
/// `https://vcd/api/vApp/vm-7f…/power/action/powerOn` -> `/api/vApp/{id}/power/action/powerOn`.
public enum VCDRoute {
    public static func normalized(_ url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var segments: [String] = []
        var previous = ""
        for raw in (parts.first ?? "").split(separator: "/") {
            let segment = String(raw)
            let shaped: String
            if previous == "metadata" && (segment == "SYSTEM" || segment == "GENERAL") {
                shaped = segment
            } else if previous == "metadata" || previous == "SYSTEM" || previous == "GENERAL" {
                shaped = "{key}"  // a metadata key (cse's own marks), kept out of labels all the same
            } else if segments.count >= 2 && segments[segments.count - 2] == "transfer" {
                shaped = "{file}"  // an upload's file name, after its transfer id
            } else if isWord(segment) || isVersion(segment) {
                shaped = segment
            } else {
                shaped = "{id}"
            }
            segments.append(shaped)
            previous = segment
        }
        var route = "/" + segments.joined(separator: "/")
        // The query service's record type is a fixed vocabulary worth telling apart; other parameters are dropped.
        if parts.count == 2, let type = queryType(parts[1]) { route += "?type=\(type)" }
        return route
    }

    /// A word of the API's own vocabulary: letters (and `_`, `-`, `.`) only. Ids carry digits.
    private static func isWord(_ segment: String) -> Bool {
        !segment.isEmpty && segment.count <= 48 && segment.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || $0 == "_" || $0 == "-" || $0 == "."
        }
    }

    /// An API version in a path (`/cloudapi/1.0.0/...`).
    private static func isVersion(_ segment: String) -> Bool {
        let pieces = segment.split(separator: ".", omittingEmptySubsequences: false)
        return pieces.count >= 2 && pieces.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    private static func queryType(_ query: Substring) -> String? {
        for pair in query.split(separator: "&") where pair.hasPrefix("type=") {
            let value = String(pair.dropFirst(5))
            return isWord(value) ? value : nil
        }
        return nil
    }
}
