import Spec

public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// An optimistic write expected another generation: someone changed the object in between.
    case generationConflict(ObjectKey, expected: Int, actual: Int)
    case notFound(ObjectKey)
    /// The database was written by a newer cse that knows migrations this one does not.
    case schemaTooNew(path: String, unknownMigrations: [String])
    case corruptSpec(ObjectKey, String)
    case alreadyExists(ObjectKey)
    /// Another object's name differs only in case (names are DNS host names: case does not tell them apart).
    case nameTaken(ObjectKey, existing: String)
    /// The store file is missing, unreadable or not a store; `reason` says what to do.
    case unreadable(path: String, reason: String)
    /// The database server cannot be reached or refused a statement; `location` carries no password.
    case unavailable(location: String, reason: String)

    public var description: String {
        switch self {
        case .generationConflict(let key, let expected, let actual):
            let now = actual == 0 ? "it does not exist" : "it is at generation \(actual)"
            return "\(key) changed concurrently: expected generation \(expected), but \(now)"
        case .notFound(let key):
            return "\(key) not found"
        case .schemaTooNew(let path, let unknown):
            return "\(path) was written by a newer cse (unknown migrations: \(unknown.joined(separator: ", "))); upgrade cse"
        case .corruptSpec(let key, let reason):
            return "stored spec of \(key) cannot be read: \(reason)"
        case .nameTaken(let key, let existing):
            return "\(key): the name is taken by '\(existing)' (names differ from each other by more than case)"
        case .alreadyExists(let key):
            return "\(key) is already in the store"
        case .unreadable(let path, let reason):
            return "store \(path): \(reason)"
        case .unavailable(let location, let reason):
            return "store \(location): \(reason)"
        }
    }
}
