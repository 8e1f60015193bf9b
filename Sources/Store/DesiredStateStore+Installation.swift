import Foundation
import Spec

extension DesiredStateStore {
    /// This installation's identity: made with the store, written on every vApp, VM and catalog item cse creates.
    /// cse destroys only what carries it (Kubernetes' owner references, Terraform's state).
    public func installationID() throws -> String {
        try read { session in
            guard let id = try session.installationID() else {
                throw StoreError.unreadable(path: location, reason: "it has no installation identity")
            }
            return id
        }
    }

    /// Takes an object found in vCD into the store under the uid it already carries there (`cse adopt`).
    /// Refused when the store already holds an object of that name or uid.
    @discardableResult
    public func adopt(_ object: DesiredObject, uid: String, owner: Owner) throws -> StoredObject {
        try write(changesDesiredState: true) { session in
            let key = object.key
            if try session.object(key) != nil { throw StoreError.alreadyExists(key) }
            if try session.object(uid: uid) != nil { throw StoreError.alreadyExists(key) }
            try session.insert(ObjectRecord(
                id: nil, uid: uid, kind: key.kind.rawValue, org: key.org, name: key.name, spec: object.canonicalJSON,
                specHash: object.specHash, generation: 1, owner: ObjectRecord.encode(owner), createdAt: now, updatedAt: now,
                deletionRequestedAt: nil))
            guard let stored = try session.object(key) else { throw StoreError.notFound(key) }
            return try stored.stored()
        }
    }
}

/// An object with cse's metadata in vCD that this installation does not own, as the last pass saw it.
public struct UnownedEntry: Hashable, Sendable, Codable {
    /// "cluster vApp", "build vApp" or "catalog item".
    public var kind: String
    public var org: String
    /// The vdc (vApps) or catalog (items).
    public var place: String
    public var name: String
    /// The cluster id or template name its metadata names.
    public var owner: String
    /// Another installation's identity (foreign); nil = unclaimed.
    public var installation: String?
    public var reason: String
    public var seenAt: Date

    public init(kind: String, org: String, place: String, name: String, owner: String, installation: String?, reason: String, seenAt: Date) {
        self.kind = kind
        self.org = org
        self.place = place
        self.name = name
        self.owner = owner
        self.installation = installation
        self.reason = reason
        self.seenAt = seenAt
    }
}

extension DesiredStateStore {
    /// Replaces the list of unowned objects with what a pass just saw.
    public func recordUnowned(_ entries: [UnownedEntry], fence: LeaseFence? = nil) throws {
        try fencedWrite(fence, "unowned objects") { try $0.replaceUnowned(entries) }
    }

    public func unowned() throws -> [UnownedEntry] {
        try read { try $0.unowned() }
    }
}
