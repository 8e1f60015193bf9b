import Spec
import Store

/// The diff's answer: what to change, and where every desired object stands.
public struct Plan: Hashable, Sendable {
    public var actions: [PlannedAction]
    public var assessments: [ObjectKey: Assessment]

    public init(actions: [PlannedAction] = [], assessments: [ObjectKey: Assessment] = [:]) {
        self.actions = actions
        self.assessments = assessments
    }

    public var isEmpty: Bool { actions.isEmpty }
    public var runnable: [PlannedAction] { actions.filter(\.isRunnable) }

    public func count(_ change: PlannedAction.Change) -> Int { actions.filter { $0.change == change }.count }

    public func actions(for key: ObjectKey) -> [PlannedAction] { actions.filter { $0.object == key } }
}

/// Where one desired object stands against what vCD holds.
public struct Assessment: Hashable, Sendable {
    public var phase: ObjectStatus.Phase
    public var message: String
    /// The failure to record, when the object cannot progress (vCD or guest said why).
    public var failure: String?

    public init(_ phase: ObjectStatus.Phase, _ message: String, failure: String? = nil) {
        self.phase = phase
        self.message = message
        self.failure = failure
    }
}
