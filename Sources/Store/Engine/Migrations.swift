/// The schema's migrations by identifier, in order, the same for every engine: a database records the ones applied
/// to it, and a cse that finds one it does not know refuses the database (written by a newer cse).
/// Never edit a shipped migration: add a new one.
enum Migrations {
    static let v1 = "v1 desired objects, status, events"
    static let v2 = "v2 observed facts, tenant tasks, request log"
    static let v3 = "v3 reconciler lease"
    static let v4 = "v4 installation identity"
    static let v5 = "v5 names compared without case, by index"
    static let v6 = "v6 lease fencing token, refused writes"

    static let all = [v1, v2, v3, v4, v5, v6]
}
