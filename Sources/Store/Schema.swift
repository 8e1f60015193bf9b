import GRDB

/// Schema migrations, in order. Never edit a shipped migration: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 desired objects, status, events") { db in
            try db.create(table: "object") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("uid", .text).notNull().unique()
                t.column("kind", .text).notNull()
                t.column("org", .text).notNull()
                t.column("name", .text).notNull()
                t.column("spec", .text).notNull()
                t.column("specHash", .text).notNull()
                t.column("generation", .integer).notNull()
                t.column("owner", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("deletionRequestedAt", .datetime)
                t.uniqueKey(["kind", "org", "name"])
            }
            try db.create(table: "status") { t in
                t.primaryKey("objectUID", .text).references("object", column: "uid", onDelete: .cascade)
                t.column("phase", .text).notNull()
                t.column("conditions", .text).notNull()
                t.column("observedGeneration", .integer).notNull()
                t.column("lastError", .text)
                t.column("lastReconcileAt", .datetime)
            }
            // Events outlive their object (no foreign key): history stays after a deletion completes.
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("objectUID", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("org", .text).notNull()
                t.column("name", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("type", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("message", .text).notNull()
            }
        }
        return migrator
    }
}
