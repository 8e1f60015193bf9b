import Foundation

/// A vCD task given to a tenant for a change (create, resize, delete); the reconciler ends it.
public struct TenantTask: Hashable, Sendable {
    public enum Operation: String, Sendable, Hashable { case create, resize, delete }
    public enum State: String, Sendable, Hashable { case pending, running, success, error }

    public var id: Int64
    public var objectUID: String
    public var operation: Operation
    /// The generation whose convergence completes the task.
    public var targetGeneration: Int
    public var org: String
    public var user: String
    /// nil until the vCD task exists (it is created after the desired-state change commits).
    public var taskHref: String?
    public var state: State
    public var message: String?
}

/// What the store remembers of a tenant request, by its id.
public struct LoggedRequest: Hashable, Sendable {
    public var requestID: String
    public var tenantTaskID: Int64?
    /// nil while the reply is not final (the task was not created yet when the process stopped).
    public var status: Int?
    public var reply: String?
}

extension DesiredStateStore.Transaction {
    public func loggedRequest(_ requestID: String) throws -> LoggedRequest? {
        try session.requestLog(requestID).map {
            LoggedRequest(requestID: $0.requestID, tenantTaskID: $0.tenantTaskID, status: $0.status, reply: $0.reply)
        }
    }

    /// Records a request in the same transaction as the change it makes.
    public func logRequest(_ requestID: String, tenantTaskID: Int64? = nil, status: Int? = nil, reply: String? = nil) throws {
        try session.upsert(RequestLogRecord(requestID: requestID, tenantTaskID: tenantTaskID, status: status, reply: reply, at: now))
    }

    public func createTenantTask(objectUID: String, operation: TenantTask.Operation, targetGeneration: Int, org: String, user: String) throws -> TenantTask {
        var record = TenantTaskRecord(id: nil, objectUID: objectUID, operation: operation.rawValue, targetGeneration: targetGeneration,
                                      org: org, user: user, taskHref: nil, state: TenantTask.State.pending.rawValue, message: nil,
                                      createdAt: now, updatedAt: now)
        record.id = try session.insert(record)
        return DesiredStateStore.decode(record)
    }

    public func tenantTask(id: Int64) throws -> TenantTask? {
        try session.tenantTask(id: id).map(DesiredStateStore.decode)
    }
}

extension DesiredStateStore {
    public func tenantTasks(states: [TenantTask.State] = [.pending, .running]) throws -> [TenantTask] {
        try read { session in try session.tenantTasks(states: states.map(\.rawValue)).map(Self.decode) }
    }

    public func tenantTask(id: Int64) throws -> TenantTask? {
        try read { session in try session.tenantTask(id: id).map(Self.decode) }
    }

    /// Records the vCD task's href once created, or its end.
    public func updateTenantTask(id: Int64, taskHref: String? = nil, state: TenantTask.State, message: String? = nil,
                                 fence: LeaseFence? = nil) throws {
        let now = self.now
        try fencedWrite(fence, "tenant task") { session in
            guard var record = try session.tenantTask(id: id) else { return }
            if let taskHref { record.taskHref = taskHref }
            record.state = state.rawValue
            record.message = message ?? record.message
            record.updatedAt = now
            try session.update(record)
        }
    }

    public func loggedRequest(_ requestID: String) throws -> LoggedRequest? {
        try read { session in
            try session.requestLog(requestID).map {
                LoggedRequest(requestID: $0.requestID, tenantTaskID: $0.tenantTaskID, status: $0.status, reply: $0.reply)
            }
        }
    }

    static func decode(_ record: TenantTaskRecord) -> TenantTask {
        TenantTask(id: record.id ?? 0, objectUID: record.objectUID, operation: TenantTask.Operation(rawValue: record.operation) ?? .create,
                   targetGeneration: record.targetGeneration, org: record.org, user: record.user, taskHref: record.taskHref,
                   state: TenantTask.State(rawValue: record.state) ?? .pending, message: record.message)
    }
}
