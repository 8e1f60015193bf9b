import Foundation

/// The requests that may change the cloud (every method but GET and HEAD, outside `/sim/`), newest last, with the
/// client's `User-Agent` (cse names its process there): tests tell from it which process wrote what, and when.
struct SimWriteLog {
    struct Entry {
        var method: String
        var path: String
        var agent: String
        var status: Int
        var at: Date

        var json: [String: Any] {
            ["method": method, "path": path, "agent": agent, "status": status, "at": at.timeIntervalSince1970]
        }
    }

    private(set) var entries: [Entry] = []
    /// Older entries are dropped beyond this many.
    let capacity = 50_000

    mutating func record(_ request: SimRequest, status: Int, at: Date) {
        guard !["GET", "HEAD"].contains(request.method), !request.path.hasPrefix("/sim/") else { return }
        if entries.count >= capacity { entries.removeFirst(capacity / 10) }
        entries.append(Entry(method: request.method, path: request.path, agent: request.headers["user-agent"] ?? "", status: status, at: at))
    }
}
