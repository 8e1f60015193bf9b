import Foundation
import Spec

extension DesiredStateStore {
    /// The object's status; a pending one when the reconciler has not written any yet.
    public func status(of uid: String) throws -> ObjectStatus {
        try read { session in try session.status(uid: uid).map(Self.decode) ?? ObjectStatus() }
    }

    /// Replaces the object's status. Returns false when the object no longer exists.
    @discardableResult
    public func setStatus(_ status: ObjectStatus, of uid: String) throws -> Bool {
        try write { session in
            guard try session.object(uid: uid) != nil else { return false }
            try session.upsert(Self.encode(status, uid: uid))
            return true
        }
    }

    /// Reads, changes and writes the status in one transaction.
    @discardableResult
    public func updateStatus(of uid: String, fence: LeaseFence? = nil, _ change: (inout ObjectStatus) -> Void) throws -> ObjectStatus? {
        try fencedWrite(fence, "status") { session in
            guard try session.object(uid: uid) != nil else { return nil }
            var status = try session.status(uid: uid).map(Self.decode) ?? ObjectStatus()
            change(&status)
            try session.upsert(Self.encode(status, uid: uid))
            return status
        }
    }

    /// Appends to the object's history. Callers keep secrets out of `message`.
    @discardableResult
    public func recordEvent(for object: StoredObject, type: ObjectEvent.EventType = .normal, reason: String, message: String,
                            fence: LeaseFence? = nil) throws -> ObjectEvent {
        let at = now
        return try fencedWrite(fence, "event \(reason)") { session in
            var record = EventRecord(id: nil, objectUID: object.uid, kind: object.key.kind.rawValue, org: object.key.org,
                                     name: object.key.name, at: at, type: type.rawValue, reason: reason, message: message)
            record.id = try session.insert(record)
            return Self.decode(record)
        }
    }

    /// The object's events, oldest first; `limit` keeps the newest ones.
    public func events(of uid: String, limit: Int? = nil) throws -> [ObjectEvent] {
        try read { session in try session.events(uid: uid, limit: limit).reversed().map(Self.decode) }
    }

    static func decode(_ record: StatusRecord) -> ObjectStatus {
        let conditions = (try? JSONDecoder.store.decode([Condition].self, from: Data(record.conditions.utf8))) ?? []
        let observed = record.observed.flatMap { try? JSONDecoder.store.decode(ObservedFacts.self, from: Data($0.utf8)) }
        return ObjectStatus(phase: ObjectStatus.Phase(rawValue: record.phase) ?? .pending, conditions: conditions,
                            observedGeneration: record.observedGeneration, lastError: record.lastError,
                            lastReconcileAt: record.lastReconcileAt, observed: observed)
    }

    static func encode(_ status: ObjectStatus, uid: String) -> StatusRecord {
        let conditions = String(decoding: (try? JSONEncoder.store.encode(status.conditions)) ?? Data("[]".utf8), as: UTF8.self)
        return StatusRecord(objectUID: uid, phase: status.phase.rawValue, conditions: conditions,
                            observedGeneration: status.observedGeneration, lastError: status.lastError,
                            lastReconcileAt: status.lastReconcileAt,
                            observed: status.observed.flatMap { try? JSONEncoder.store.encode($0) }.map { String(decoding: $0, as: UTF8.self) })
    }

    static func decode(_ record: EventRecord) -> ObjectEvent {
        ObjectEvent(id: record.id ?? 0, objectUID: record.objectUID,
                    key: ObjectKey(kind: ObjectKind(rawValue: record.kind) ?? .cluster, org: record.org, name: record.name),
                    at: record.at, type: ObjectEvent.EventType(rawValue: record.type) ?? .normal,
                    reason: record.reason, message: record.message)
    }
}

extension JSONEncoder {
    static var store: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var store: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
