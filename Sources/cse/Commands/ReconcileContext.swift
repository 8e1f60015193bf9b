import Bootstrap
import Foundation
import GuestSecrets
import Logging
import Observe
import Reconcile
import Spec
import Store
import VCDClient

/// Everything a reconciling command needs: store, vCD connection, reconciler.
struct ReconcileContext {
    let store: DesiredStateStore
    let connection: VCDConnection
    let reconciler: Reconciler
    /// The installation's key pairs, beside the store (created with it).
    let keys: InstallationKeys
    /// What makes a reconciler: one per lease term in `cse run` (`reconciler(fence:)`).
    private let parts: Parts

    private struct Parts {
        let observer: Observer
        let runner: ActionRunner
        let limits: Reconciler.Limits
        let deletionGuard: DeletionGuard
        let logger: Logger
    }

    /// `creating`: the command writes desired state, so a missing store is made (`run`, `adopt`); others refuse it.
    /// `fence`: the lease the command holds; every write of `reconciler` carries it.
    static func open(storeOptions: StoreOptions, deletionGuard: DeletionGuard = DeletionGuard(), creating: Bool = false,
                     fence: LeaseFence? = nil, logger: Logger) async throws -> ReconcileContext {
        let config = try storeOptions.loadConfig()
        let store = try storeOptions.openStore(config: config, creating: creating)
        let stateDirectory = ((store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("sim")
        let connection = try await VCDConnection.open(config: config, stateDirectory: stateDirectory, logger: logger)
        let observer = Observer(session: connection.session, logger: logger)
        let keys = try await InstallationKeys.load(directory: InstallationKeys.directory(forStore: store.path))
        let runner = ActionRunner(vcd: connection.session, scripts: BootstrapScripts(sealingKey: GuestContract.SealingKey(keys.current)), guestSecrets: keys,
                                  pollInterval: connection.taskPollInterval, logger: logger)
        let limits = Reconciler.Limits(global: config.service.concurrency.global, perOrg: config.service.concurrency.perOrg)
        let parts = Parts(observer: observer, runner: runner, limits: limits, deletionGuard: deletionGuard, logger: logger)
        let reconciler = Reconciler(store: store, observer: observer, runner: runner, limits: limits, deletionGuard: deletionGuard,
                                    fence: fence, logger: logger)
        return ReconcileContext(store: store, connection: connection, reconciler: reconciler, keys: keys, parts: parts)
    }

    /// A new reconciler working under `fence` (a term of `cse run` as the lease holder).
    func reconciler(fence: LeaseFence) -> Reconciler {
        Reconciler(store: store, observer: parts.observer, runner: parts.runner, limits: parts.limits, deletionGuard: parts.deletionGuard,
                   fence: fence, logger: parts.logger)
    }

    func close() async {
        await reconciler.drain()
        await connection.close()
    }
}

