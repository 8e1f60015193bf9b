import Foundation
import GRDB

/// The SQLite schema's migrations (identifiers in `Migrations`), run by GRDB's migrator.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Migrations.v1) { db in
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
        migrator.registerMigration(Migrations.v2) { db in
            // What the reconciler last saw of an object in vCD (JSON), e.g. a cluster's master IP and nodes.
            try db.alter(table: "status") { t in t.add(column: "observed", .text) }
            // vCD tasks handed to tenants; the reconciler ends them when the change they stand for is done.
            try db.create(table: "tenantTask") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("objectUID", .text).notNull().indexed()
                t.column("operation", .text).notNull()
                t.column("targetGeneration", .integer).notNull()
                t.column("org", .text).notNull()
                t.column("user", .text).notNull()
                t.column("taskHref", .text)
                t.column("state", .text).notNull()
                t.column("message", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            // Replies to tenant requests by request id: a redelivered request gets the same reply, never a second change.
            try db.create(table: "requestLog") { t in
                t.primaryKey("requestID", .text)
                t.column("tenantTaskID", .integer)
                t.column("status", .integer)
                t.column("reply", .text)
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration(Migrations.v3) { db in
            // One process reconciles a store at a time: the holder renews before `expiresAt`; an expired lease may be taken.
            try db.create(table: "lease") { t in
                t.primaryKey("name", .text)
                t.column("holder", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("acquiredAt", .datetime).notNull()
            }
        }
        migrator.registerMigration(Migrations.v4) { db in
            // Who this installation is: recorded on everything cse creates in vCD, so that it destroys only its own.
            try db.create(table: "installation") { t in
                t.primaryKey("id", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.execute(sql: "INSERT INTO installation (id, createdAt) VALUES (?, ?)",
                           arguments: [UUID().uuidString.lowercased(), Date()])
            // What the last reconcile pass saw with cse's metadata that this installation does not own (for get/describe).
            try db.create(table: "unowned") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("org", .text).notNull()
                t.column("place", .text).notNull()
                t.column("name", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("installation", .text)
                t.column("reason", .text).notNull()
                t.column("seenAt", .datetime).notNull()
            }
        }
        migrator.registerMigration(Migrations.v5) { db in
            // A create checks that no object of its kind and org has its name without regard to case
            // (`lower(name) = ?`): without this index that reads every row of the org.
            try db.execute(sql: "CREATE INDEX objectFoldedName ON object(kind, org, lower(name))")
        }
        migrator.registerMigration(Migrations.v6) { db in
            // A new token each time the lease is taken (not when it is renewed): the reconciler's writes carry the token
            // they were made under and are refused once it is no longer the lease's. Releasing keeps the row (expired),
            // so tokens never repeat.
            try db.alter(table: "lease") { t in t.add(column: "token", .integer).notNull().defaults(to: 0) }
            // Writes the store refused because their token was stale: who tried what, and who held the lease then.
            try db.create(table: "refusedWrite") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lease", .text).notNull()
                t.column("holder", .text).notNull()
                t.column("token", .integer).notNull()
                t.column("write", .text).notNull()
                t.column("currentHolder", .text)
                t.column("currentToken", .integer)
                t.column("at", .datetime).notNull()
            }
        }
        return migrator
    }
}
