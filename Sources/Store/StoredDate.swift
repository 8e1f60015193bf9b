import Foundation
import GRDB
import Synchronization

/// A date as SQLite stores it, and as a later read decodes it from that text (the two can differ in the last bit).
/// The last one made is kept: every write of a group-committed batch shares its transaction's `now`.
struct StoredDate: Sendable {
    let date: Date
    let value: DatabaseValue
    let readBack: Date

    private static let last = Mutex<StoredDate?>(nil)

    static func of(_ date: Date) -> StoredDate {
        if let last = last.withLock({ $0 }), last.date == date { return last }
        let value = date.databaseValue
        let made = StoredDate(date: date, value: value, readBack: Date.fromDatabaseValue(value) ?? date)
        last.withLock { $0 = made }
        return made
    }
}
