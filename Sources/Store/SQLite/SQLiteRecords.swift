import GRDB

// GRDB's view of the store's rows: table names and the ids SQLite assigns.

extension ObjectRecord: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "object"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension StatusRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "status"
}

extension TenantTaskRecord: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "tenantTask"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RequestLogRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "requestLog"
}

extension EventRecord: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension LeaseRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "lease"
}

extension UnownedEntry: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "unowned"
}

extension RefusedWriteRecord: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "refusedWrite"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
