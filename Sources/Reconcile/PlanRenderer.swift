import Spec

extension Plan {
    /// How many vCD resources the actions of one kind change: an action adding or removing several VMs counts each.
    public func resources(_ change: PlannedAction.Change) -> Int {
        actions.filter { $0.change == change }.reduce(0) { total, action in
            switch action.step {
            case .addVMs(let addition): return total + addition.vms.count
            case .removeVMs(_, let vms): return total + vms.count
            default: return total + 1
            }
        }
    }
}

/// Prints a plan as Terraform users know it: one line per change with its symbol and reason,
/// then "N to add, M to change, K to destroy".
public enum PlanRenderer {
    public static func text(_ plan: Plan) -> String {
        let notes = unowned(plan) + held(plan)
        guard !plan.isEmpty else { return notes + "No changes. vCD matches the desired state.\n" }
        var text = ""
        var current: ObjectKey?
        for action in plan.actions {
            if action.object != current {
                current = action.object
                text += "\n\(action.object):\n"
            }
            text += "  \(action.change.symbol) \(action.target)  (\(action.reason))\n"
            let handles: [String] = action.step.handles.map { handle in handle.key + " " + handle.value }
            text += "      on: " + handles.joined(separator: "; ") + "\n"
            if !action.isRunnable { text += "      waits for: \(action.waitsFor.joined(separator: ", "))\n" }
        }
        return notes + text.dropFirst() + "\n" + summary(plan) + "\n"
    }

    /// What has cse's metadata but is not this installation's: listed so that nobody is surprised, never touched.
    public static func unowned(_ plan: Plan) -> String {
        guard !plan.unowned.isEmpty else { return "" }
        var text = "Not owned by this installation (left alone; `cse adopt` takes clusters in):\n"
        for object in plan.unowned {
            text += "  ! \(object.kind.rawValue) \(object.org)/\(object.place)/\(object.name)  (\(object.summary))\n"
        }
        return text + "\n"
    }

    public static func held(_ plan: Plan) -> String {
        guard !plan.heldDeletions.isEmpty else { return "" }
        var text = "Held back by the deletion guard (--allow-mass-delete lets them go):\n"
        for action in plan.heldDeletions { text += "  - \(action.object): \(action.target)  (\(action.reason))\n" }
        return text + "\n"
    }

    /// Counts what changes as people count it: each VM added or removed is one, as is every other vApp, VM or item.
    public static func summary(_ plan: Plan) -> String {
        "Plan: \(plan.resources(.create)) to add, \(plan.resources(.update)) to change, \(plan.resources(.destroy)) to destroy."
    }
}
