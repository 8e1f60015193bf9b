import Store

/// Who is asking, as vCD vouches for it.
public struct Caller: Sendable, Equatable {
    public var user: String
    public var org: String
    public var isSystemAdministrator: Bool
    /// The user's reference href (`<vCD>/api/admin/user/<uuid>`) as vCD's session names it; nil when unknown.
    public var userHref: String?

    public init(user: String, org: String, isSystemAdministrator: Bool, userHref: String? = nil) {
        self.user = user
        self.org = org
        self.isSystemAdministrator = isSystemAdministrator
        self.userHref = userHref
    }
}

/// Finds the caller from the forwarded request (by validating its session token against vCD).
public protocol CallerResolver: Sendable {
    /// nil when vCD does not accept the token.
    func caller(for request: ExtensionRequest) async throws -> Caller?
}

/// Creates the vCD task a tenant polls (through vCD's extension task API, owned by the tenant's org).
public protocol TaskPublisher: Sendable {
    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String
    /// The running task an earlier attempt made for this change, if vCD has one: a process killed between creating a
    /// task and recording it must not leave that task running for ever beside a second one.
    func existingTask(org: String, operation: String, clusterName: String, clusterID: String) async throws -> String?
}

extension TaskPublisher {
    public func existingTask(org: String, operation: String, clusterName: String, clusterID: String) async throws -> String? { nil }
}

/// Checks, before anything is written, that a cluster can be placed where a tenant asks: the vdc in the
/// tenant's org, the network in that vdc. A create that can never succeed is refused at once.
public protocol PlacementChecker: Sendable {
    /// nil when the place exists; else the refusal the tenant gets (404 or 400, with a message).
    func problem(org: String, vdc: String, network: String?) async throws -> PlacementProblem?
}

public struct PlacementProblem: Error, Sendable, Equatable {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

/// Reads a ready cluster's admin kubeconfig (from its master, through vCD).
public protocol KubeconfigSource: Sendable {
    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String
}

/// An answer other than success, with the HTTP status it maps to.
struct RequestFailure: Error {
    var status: Int
    var message: String

    static func badRequest(_ problems: [String]) -> RequestFailure {
        RequestFailure(status: 400, message: problems.joined(separator: "; "))
    }
    static func notFound(_ message: String) -> RequestFailure { RequestFailure(status: 404, message: message) }
    static func conflict(_ message: String) -> RequestFailure { RequestFailure(status: 409, message: message) }
    static func forbidden(_ message: String) -> RequestFailure { RequestFailure(status: 403, message: message) }
}
