import GRDB

extension DesiredStateStore.Transaction {
    /// Records the vCD task's href once created, or its end (as `DesiredStateStore.updateTenantTask`, inside this
    /// transaction, so a request's task and its final reply commit together).
    public func updateTenantTask(id: Int64, taskHref: String? = nil, state: TenantTask.State, message: String? = nil) throws {
        guard var record = try TenantTaskRecord.fetchOne(db, key: id) else { return }
        if let taskHref { record.taskHref = taskHref }
        record.state = state.rawValue
        record.message = message ?? record.message
        record.updatedAt = now
        try record.update(db)
    }
}
