import Foundation
import Spec

/// Who asked for an object: the administrator's specs, or a tenant's request.
public enum Owner: Hashable, Sendable, Codable, CustomStringConvertible {
    case admin
    case tenant(org: String, user: String)

    public var description: String {
        switch self {
        case .admin: return "admin"
        case .tenant(let org, let user): return "tenant \(org)/\(user)"
        }
    }
}

/// A desired object as the store holds it.
public struct StoredObject: Hashable, Sendable {
    /// Stable identity across spec changes; a re-created object gets a new one.
    public var uid: String
    public var object: DesiredObject
    public var specHash: String
    /// Bumped on every real change of desired state: create, spec change, deletion mark, restore.
    public var generation: Int
    public var owner: Owner
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when deletion is wanted; the row stays until the reconciler confirms the object is gone.
    public var deletionRequestedAt: Date?

    public init(uid: String, object: DesiredObject, specHash: String, generation: Int, owner: Owner, createdAt: Date, updatedAt: Date,
                deletionRequestedAt: Date?) {
        self.uid = uid
        self.object = object
        self.specHash = specHash
        self.generation = generation
        self.owner = owner
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletionRequestedAt = deletionRequestedAt
    }

    public var key: ObjectKey { object.key }
    public var isDeleting: Bool { deletionRequestedAt != nil }
}

/// What a write did to desired state.
public enum WriteOutcome: String, Hashable, Sendable, Codable {
    case created
    case updated
    /// A tombstoned object was wanted again.
    case restored
    case unchanged
    /// Marked for deletion.
    case deleted
}
