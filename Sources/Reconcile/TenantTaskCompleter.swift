import Logging
import Spec
import Store
import VCDClient

/// Ends the vCD tasks handed to tenants once the change they stand for is done (or has failed),
/// so vcd-cli, which polls them, returns.
struct TenantTaskCompleter: Sendable {
    let session: VCDSession
    let logger: Logger

    /// `plan`: the pass's plan; a change is done only when no action for its object is left (the last metadata
    /// write included), so the tenant never reads "success" before cse has finished writing.
    func complete(store: DesiredStateStore, plan: Plan? = nil) async {
        guard let tasks = try? store.tenantTasks(states: [.running]) else { return }
        for task in tasks {
            guard let href = task.taskHref, let outcome = outcome(of: task, store: store) else { continue }
            if outcome.success, let plan, let object = try? store.object(uid: task.objectUID), !plan.actions(for: object.key).isEmpty {
                continue
            }
            do {
                try await session.updateExtensionTask(href, status: outcome.success ? .success : .error,
                                                      operation: outcome.message, error: outcome.success ? nil : outcome.message)
                try store.updateTenantTask(id: task.id, state: outcome.success ? .success : .error, message: outcome.message)
            } catch {
                logger.warning("could not end tenant task \(task.id): \(error)")
            }
        }
    }

    /// nil while the change is still under way.
    private func outcome(of task: TenantTask, store: DesiredStateStore) -> (success: Bool, message: String)? {
        guard let object = try? store.object(uid: task.objectUID) else {
            // The object is gone: a deletion is complete; anything else was overtaken by one.
            return task.operation == .delete ? (true, "cluster deleted") : (false, "cluster was deleted")
        }
        guard let status = try? store.status(of: object.uid) else { return nil }
        if task.operation == .delete { return nil }
        if object.isDeleting { return (false, "cluster is being deleted") }
        if object.generation > task.targetGeneration, task.operation == .create, status.phase == .ready {
            return (true, "cluster \(object.key.name) is ready")
        }
        if status.phase == .ready, status.observedGeneration >= task.targetGeneration {
            return (true, "cluster \(object.key.name) is ready")
        }
        if status.phase == .failed, let error = status.lastError, status.observedGeneration >= task.targetGeneration || task.operation == .create {
            return (false, error)
        }
        return nil
    }
}
