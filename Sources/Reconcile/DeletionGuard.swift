/// Refuses to destroy more than a share of the fleet in one plan (a wrong `--prune`, a specs folder half
/// checked out): the cluster deletions are held back and reported until `--allow-mass-delete` lets them go.
public struct DeletionGuard: Hashable, Sendable {
    /// The largest share of the clusters in the store that one plan may delete (0...1).
    public var maxShare: Double
    public var allowMassDelete: Bool

    public static let defaultMaxShare = 0.5

    public init(maxShare: Double = DeletionGuard.defaultMaxShare, allowMassDelete: Bool = false) {
        self.maxShare = maxShare
        self.allowMassDelete = allowMassDelete
    }

    /// Cluster vApp deletions in `plan`; held back (moved to `heldDeletions`) when more than one and more than
    /// `maxShare` of `fleet` clusters.
    /// Whether deleting `deletions` of `fleet` clusters at once is more than the guard lets through.
    public func refuses(deletions: Int, fleet: Int) -> Bool {
        !allowMassDelete && deletions > 1 && Double(deletions) > maxShare * Double(max(fleet, 1))
    }

    /// Why `deletions` clusters are refused, as the user reads it.
    public func refusal(deletions: Int, fleet: Int) -> String {
        "deletion guard: \(deletions) clusters would be deleted at once, more than \(Int((maxShare * 100).rounded())) % of the "
            + "\(fleet) in the store; nothing was written (rerun with --allow-mass-delete if this is meant)"
    }

    public func check(_ plan: Plan, fleet: Int) -> Plan {
        guard !allowMassDelete else { return plan }
        let isClusterDeletion: (PlannedAction) -> Bool = { action in
            if case .deleteVApp = action.step { return action.object.kind == .cluster }
            return false
        }
        let deletions = plan.actions.filter(isClusterDeletion)
        guard deletions.count > 1, Double(deletions.count) > maxShare * Double(max(fleet, 1)) else { return plan }
        var held = plan
        held.actions.removeAll(where: isClusterDeletion)
        held.heldDeletions = deletions
        return held
    }

    public func explanation(_ plan: Plan) -> String? {
        guard !plan.heldDeletions.isEmpty else { return nil }
        let percent = Int((maxShare * 100).rounded())
        return "deletion guard: \(plan.heldDeletions.count) clusters would be deleted at once, more than \(percent) % of the fleet; "
            + "nothing was deleted (rerun with --allow-mass-delete if this is meant)"
    }
}
