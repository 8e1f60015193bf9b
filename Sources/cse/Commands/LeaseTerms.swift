import Foundation
import Logging
import Reconcile
import Spec
import Store
import Synchronization

/// The reconciling side of a `cse run` replica: wait for the store's lease, reconcile under its fence until the lease
/// is lost or the service stops, and wait again. A term ends when a write is refused for a stale fencing token (another
/// replica took the lease after this one stalled past its expiry) or the lease ran out by this process's clock: its
/// running actions are cancelled (they could not write anyway) and the next term starts from a fresh observation.
struct LeaseTerms {
    let lease: LeaseKeeper
    let context: ReconcileContext
    let current: CurrentReconciler
    let settings: ServiceSettings
    let grace: Int
    let logger: Logger
    /// `systemctl status` tells whether this replica reconciles or waits.
    let systemd: SystemdNotifier

    /// Runs terms until cancelled or `stopping` is true; returns whether this replica held the lease when it stopped.
    func run(until stopping: @escaping @Sendable () -> Bool) async -> Bool {
        while !Task.isCancelled && !stopping() {
            let fence: LeaseFence
            do {
                guard let taken = try await lease.acquire(waiting: {
                    logger.notice("waiting for \($0.holder), which holds this store's lease")
                    systemd.status("standby: \($0.holder) holds the store's lease")
                },
                                                          giveUpWhen: { Task.isCancelled || stopping() }) else { return false }
                fence = taken
            } catch is CancellationError {
                return false
            } catch {
                logger.error("cannot take the store's lease: \(error); trying again")
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if await term(fence) { return true }
        }
        return false
    }

    /// One term as the lease holder; returns true when the service stops (lease released), false when the lease was lost.
    private func term(_ fence: LeaseFence) async -> Bool {
        logger.notice("took the store's lease (fencing token \(fence.token)); reconciling")
        systemd.status("reconciling: holds the store's lease (fencing token \(fence.token))")
        let reconciler = context.reconciler(fence: fence)
        current.set(reconciler)
        defer { current.set(nil) }
        let renewing = lease.keepRenewing(fence)
        defer { renewing.cancel() }
        let store = context.store
        let loop = Task {
            await reconciler.serve(resync: .seconds(settings.resyncIntervalSeconds), changeToken: { try? store.changeToken() }, logger: logger)
        }
        // A refused renewal ends the term at once, not at the loop's next wake-up.
        fence.onLost { _ in loop.cancel() }
        _ = await withTaskCancellationHandler { await loop.value } onCancel: { loop.cancel() }
        if let lost = fence.lostBecause {
            logger.error("lost the store's lease: \(lost); this replica stops reconciling and waits for the lease again")
            systemd.status("lost the store's lease; waiting for it again")
            renewing.cancel()
            lease.release(fence)
            await reconciler.cancelRunning()
            return false
        }
        let handedBack = await reconciler.drain(timeout: .seconds(grace))
        if handedBack > 0 { logger.notice("handing back \(handedBack) running action(s); the next holder resumes them") }
        renewing.cancel()
        lease.release(fence)
        return true
    }
}

/// The reconciler of the current lease term, if this replica holds the lease: tenant requests poke it.
final class CurrentReconciler: Sendable {
    private let reconciler = Mutex<Reconciler?>(nil)

    func set(_ value: Reconciler?) { reconciler.withLock { $0 = value } }

    func poke() { reconciler.withLock { $0 }?.poke() }
}
