import Spec
import Store

/// The diff's answer: what to change, and where every desired object stands.
public struct Plan: Hashable, Sendable {
    public var actions: [PlannedAction]
    public var assessments: [ObjectKey: Assessment]
    /// Objects with cse's metadata this installation does not own: reported, never touched.
    public var unowned: [UnownedObject]
    /// Deletions the deletion guard held back (too large a share of the fleet at once).
    public var heldDeletions: [PlannedAction]

    public init(actions: [PlannedAction] = [], assessments: [ObjectKey: Assessment] = [:], unowned: [UnownedObject] = [],
                heldDeletions: [PlannedAction] = []) {
        self.actions = actions
        self.assessments = assessments
        self.unowned = unowned
        self.heldDeletions = heldDeletions
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
