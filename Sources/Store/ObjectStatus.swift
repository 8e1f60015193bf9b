import Foundation
import Spec

/// Where an object stands, as the reconciler last saw it.
public struct ObjectStatus: Hashable, Sendable, Codable {
    public enum Phase: String, Hashable, Sendable, Codable, CaseIterable {
        case pending = "Pending"
        case provisioning = "Provisioning"
        case ready = "Ready"
        case updating = "Updating"
        case deleting = "Deleting"
        case failed = "Failed"
    }

    public var phase: Phase
    public var conditions: [Condition]
    /// The generation the reconciler last worked from: behind `generation` means not yet acted on.
    public var observedGeneration: Int
    public var lastError: String?
    public var lastReconcileAt: Date?
    /// What the reconciler last saw of the object in vCD.
    public var observed: ObservedFacts?

    public init(phase: Phase = .pending, conditions: [Condition] = [], observedGeneration: Int = 0,
                lastError: String? = nil, lastReconcileAt: Date? = nil, observed: ObservedFacts? = nil) {
        self.phase = phase
        self.conditions = conditions
        self.observedGeneration = observedGeneration
        self.lastError = lastError
        self.lastReconcileAt = lastReconcileAt
        self.observed = observed
    }

    /// Sets a condition, keeping its transition time when the status does not change.
    public mutating func setCondition(_ type: String, status: Condition.Status, reason: String, message: String, at time: Date) {
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let changed = conditions[index].status != status
            conditions[index] = Condition(type: type, status: status, reason: reason, message: message,
                                          lastTransitionTime: changed ? time : conditions[index].lastTransitionTime)
        } else {
            conditions.append(Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: time))
        }
    }

    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }
}

/// Facts about an object's vCD side that tenants ask for (vcd-cli's cluster list shows them).
public struct ObservedFacts: Hashable, Sendable, Codable {
    public var vAppHref: String?
    public var masterIP: String?
    public var masterName: String?
    public var nodeNames: [String]

    public init(vAppHref: String? = nil, masterIP: String? = nil, masterName: String? = nil, nodeNames: [String] = []) {
        self.vAppHref = vAppHref
        self.masterIP = masterIP
        self.masterName = masterName
        self.nodeNames = nodeNames
    }
}

/// A Kubernetes-style condition: a named fact, true, false or unknown, with why.
public struct Condition: Hashable, Sendable, Codable {
    public enum Status: String, Hashable, Sendable, Codable { case `true` = "True", `false` = "False", unknown = "Unknown" }

    public var type: String
    public var status: Status
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date

    public init(type: String, status: Status, reason: String, message: String, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// One line of an object's history.
public struct ObjectEvent: Hashable, Sendable, Codable {
    public enum EventType: String, Hashable, Sendable, Codable { case normal = "Normal", warning = "Warning" }

    public var id: Int64
    public var objectUID: String
    public var key: ObjectKey
    public var at: Date
    public var type: EventType
    public var reason: String
    public var message: String
}

extension ObjectKey: Codable {
    enum CodingKeys: String, CodingKey { case kind, org, name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try container.decode(ObjectKind.self, forKey: .kind),
                  org: try container.decode(String.self, forKey: .org),
                  name: try container.decode(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(org, forKey: .org)
        try container.encode(name, forKey: .name)
    }
}
