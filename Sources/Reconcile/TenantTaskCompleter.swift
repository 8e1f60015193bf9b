import Logging
import Spec
import Store
import VCDClient

/// Ends the vCD tasks handed to tenants once the change they stand for is done (or has failed),
/// so vcd-cli, which polls them, returns. Judged from what one pass concluded at the generation it read:
/// a change committed while the pass ran is not taken as done by it.
struct TenantTaskCompleter: Sendable {
    let session: VCDSession
    /// The reconciler's lease: a replica that lost it ends no task (the new holder does).
    let fence: LeaseFence?
    let logger: Logger

    func complete(judged: [String: StatusProjection.Judgement], store: DesiredStateStore) async {
        guard let tasks = try? store.tenantTasks(states: [.running]) else { return }
        for task in tasks {
            guard let href = task.taskHref, let outcome = Self.outcome(of: task, judgement: judged[task.objectUID], store: store) else { continue }
            do {
                try fence?.check("vCD: end tenant task")
                try await session.updateExtensionTask(href, status: outcome.success ? .success : .error,
                                                      operation: outcome.message, error: outcome.success ? nil : outcome.message)
                try store.updateTenantTask(id: task.id, state: outcome.success ? .success : .error, message: outcome.message, fence: fence)
            } catch is FencedWriteRefused {
                return
            } catch {
                logger.warning("could not end tenant task \(task.id): \(error)")
            }
        }
    }

    /// nil while the change is still under way (or the pass did not judge the object).
    static func outcome(of task: TenantTask, judgement: StatusProjection.Judgement?, store: DesiredStateStore) -> (success: Bool, message: String)? {
        guard let object = try? store.object(uid: task.objectUID) else {
            // The object is gone: a deletion is complete; anything else was overtaken by one.
            return task.operation == .delete ? (true, "cluster deleted") : (false, "cluster was deleted")
        }
        return outcome(of: task, judgement: judgement, name: object.key.name, isDeleting: object.isDeleting)
    }

    static func outcome(of task: TenantTask, judgement: StatusProjection.Judgement?, name: String,
                        isDeleting: Bool) -> (success: Bool, message: String)? {
        if task.operation == .delete { return nil }
        if isDeleting { return (false, "cluster is being deleted") }
        guard let judgement else { return nil }
        // Success only once no action for the object is left (its last metadata write included): the tenant must not
        // read "success" before cse has finished writing.
        let ready = judgement.phase == .ready && judgement.settled && !judgement.actionsLeft
        // A later change superseded a create: the cluster exists and is ready at the newer generation.
        if task.operation == .create, judgement.generation > task.targetGeneration, ready {
            return (true, "cluster \(name) is ready")
        }
        if ready, judgement.generation >= task.targetGeneration {
            return (true, "cluster \(name) is ready")
        }
        if judgement.phase == .failed, let failure = judgement.failure,
           judgement.generation >= task.targetGeneration || task.operation == .create {
            return (false, failure)
        }
        return nil
    }
}
