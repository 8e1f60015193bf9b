import Foundation
import Spec

/// Row of the `object` table.
struct ObjectRecord: Codable, Hashable, Sendable {
    var id: Int64?
    var uid: String
    var kind: String
    var org: String
    var name: String
    var spec: String
    var specHash: String
    var generation: Int
    var owner: String
    var createdAt: Date
    var updatedAt: Date
    var deletionRequestedAt: Date?

    func stored() throws -> StoredObject {
        let key = ObjectKey(kind: ObjectKind(rawValue: kind) ?? .cluster, org: org, name: name)
        guard let objectKind = ObjectKind(rawValue: kind) else { throw StoreError.corruptSpec(key, "unknown kind \(kind)") }
        let object: DesiredObject
        do {
            object = try DesiredObject.decode(kind: objectKind, canonicalJSON: spec)
        } catch {
            throw StoreError.corruptSpec(key, "\(error)")
        }
        let decodedOwner = (try? JSONDecoder().decode(Owner.self, from: Data(owner.utf8))) ?? .admin
        return StoredObject(uid: uid, object: object, specHash: specHash, generation: generation, owner: decodedOwner,
                            createdAt: createdAt, updatedAt: updatedAt, deletionRequestedAt: deletionRequestedAt)
    }

    static func encode(_ owner: Owner) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(owner), as: UTF8.self)  // a plain enum: encoding cannot fail
    }
}

/// Row of the `status` table.
struct StatusRecord: Codable, Hashable, Sendable {
    var objectUID: String
    var phase: String
    var conditions: String
    var observedGeneration: Int
    var lastError: String?
    var lastReconcileAt: Date?
    var observed: String?
}

/// Row of the `tenantTask` table.
struct TenantTaskRecord: Codable, Hashable, Sendable {
    var id: Int64?
    var objectUID: String
    var operation: String
    var targetGeneration: Int
    var org: String
    var user: String
    var taskHref: String?
    var state: String
    var message: String?
    var createdAt: Date
    var updatedAt: Date
}

/// Row of the `requestLog` table.
struct RequestLogRecord: Codable, Hashable, Sendable {
    var requestID: String
    var tenantTaskID: Int64?
    var status: Int?
    var reply: String?
    var at: Date
}

/// Row of the `event` table.
struct EventRecord: Codable, Hashable, Sendable {
    var id: Int64?
    var objectUID: String
    var kind: String
    var org: String
    var name: String
    var at: Date
    var type: String
    var reason: String
    var message: String
}

/// Row of the `lease` table.
struct LeaseRecord: Codable, Hashable, Sendable {
    var name: String
    var holder: String
    var expiresAt: Date
    var acquiredAt: Date
    /// The fencing token (`LeaseFence`): one more each time the lease is taken.
    var token: Int64
}

/// Row of the `refusedWrite` table: a write made under a stale fencing token.
struct RefusedWriteRecord: Codable, Hashable, Sendable {
    var id: Int64?
    var lease: String
    var holder: String
    var token: Int64
    var write: String
    var currentHolder: String?
    var currentToken: Int64?
    var at: Date
}
