/// The rows of recent queries, filtered and sorted, valid while the cloud is unchanged: a client reading a large
/// result page by page is served each page in time proportional to the page (vCD keeps query results in its
/// database's indexes; a rebuild and sort of every row per page made 10,000-cluster observations take minutes).
struct SimQueryCache {
    struct Key: Hashable {
        var type: String
        /// The caller's org id, "" for a system administrator (who sees every org and PRIVATE metadata).
        var scope: String
        var filter: String
        var filterEncoded: String
        var sortAsc: String?
        var sortDesc: String?
    }

    private var revision = -1
    private var entries: [Key: [Simulator.QueryRow]] = [:]
    private static let capacity = 32

    func rows(for key: Key, revision: Int) -> [Simulator.QueryRow]? {
        revision == self.revision ? entries[key] : nil
    }

    mutating func store(_ rows: [Simulator.QueryRow], for key: Key, revision: Int) {
        if revision != self.revision || entries.count >= Self.capacity {
            entries = [:]
            self.revision = revision
        }
        entries[key] = rows
    }
}
