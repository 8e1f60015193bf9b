import Foundation
import Spec
import Store

/// An object as `cse get -o yaml|json` shows it: Kubernetes-style metadata, spec and status.
struct ObjectView: Encodable {
    struct Metadata: Encodable {
        var name: String
        var org: String?
        var uid: String
        var generation: Int
        var owner: String
        var createdAt: String
        var updatedAt: String
        var deletionRequestedAt: String?
    }

    struct StatusView: Encodable {
        var phase: String
        var observedGeneration: Int
        var lastError: String?
        var lastReconcileAt: String?
        var conditions: [ConditionView]
    }

    struct ConditionView: Encodable {
        var type: String
        var status: String
        var reason: String
        var message: String
        var lastTransitionTime: String
    }

    var apiVersion = "cse/v1"
    var kind: String
    var metadata: Metadata
    var spec: SpecView
    var status: StatusView

    init(_ object: StoredObject, status: ObjectStatus) {
        kind = object.key.kind.rawValue
        metadata = Metadata(name: object.key.name, org: object.key.org.isEmpty ? nil : object.key.org, uid: object.uid,
                            generation: object.generation, owner: object.owner.description,
                            createdAt: Timestamp.format(object.createdAt), updatedAt: Timestamp.format(object.updatedAt),
                            deletionRequestedAt: object.deletionRequestedAt.map(Timestamp.format))
        spec = SpecView(object.object)
        self.status = StatusView(
            phase: status.phase.rawValue, observedGeneration: status.observedGeneration, lastError: status.lastError,
            lastReconcileAt: status.lastReconcileAt.map(Timestamp.format),
            conditions: status.conditions.map {
                ConditionView(type: $0.type, status: $0.status.rawValue, reason: $0.reason, message: $0.message,
                              lastTransitionTime: Timestamp.format($0.lastTransitionTime))
            })
    }
}

/// The spec part, encoded as the spec value itself (secrets are references, so nothing to hide).
struct SpecView: Encodable {
    let object: DesiredObject

    init(_ object: DesiredObject) { self.object = object }

    func encode(to encoder: any Encoder) throws {
        switch object {
        case .template(let spec): try spec.encode(to: encoder)
        case .cluster(let spec): try spec.encode(to: encoder)
        }
    }
}

enum Timestamp {
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// "5s", "3m", "2h", "4d", as kubectl prints ages.
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<7200: return "\(seconds / 60)m"
        case ..<172_800: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}
