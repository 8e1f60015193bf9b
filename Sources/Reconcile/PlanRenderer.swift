import Spec

/// Prints a plan as Terraform users know it: one line per change with its symbol and reason,
/// then "N to add, M to change, K to destroy".
public enum PlanRenderer {
    public static func text(_ plan: Plan) -> String {
        guard !plan.isEmpty else { return "No changes. vCD matches the desired state.\n" }
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
        return text.dropFirst() + "\n" + summary(plan) + "\n"
    }

    public static func summary(_ plan: Plan) -> String {
        "Plan: \(plan.count(.create)) to add, \(plan.count(.update)) to change, \(plan.count(.destroy)) to destroy."
    }
}
