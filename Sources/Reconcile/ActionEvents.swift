import Foundation
import Logging
import Spec
import Store

/// What the reconciler tells about actions and phases: the objects' event logs in the store, the log, and the
/// listeners (`cse apply`'s progress lines).
struct ActionEvents: Sendable {
    let store: DesiredStateStore
    /// The reconciler's lease: its events and status changes are refused once the lease is lost.
    let fence: LeaseFence?
    let logger: Logger
    private(set) var listeners: [@Sendable (Reconciler.Event) -> Void] = []

    init(store: DesiredStateStore, fence: LeaseFence? = nil, logger: Logger) {
        self.store = store
        self.fence = fence
        self.logger = logger
    }

    mutating func add(_ listener: @escaping @Sendable (Reconciler.Event) -> Void) {
        listeners.append(listener)
    }

    func started(_ action: PlannedAction) {
        for listener in listeners { listener(.started(action)) }
    }

    func succeeded(_ action: PlannedAction, message: String) {
        if let stored = try? store.object(action.object) {
            _ = try? store.recordEvent(for: stored, reason: Self.reason(action), message: message, fence: fence)
        }
        for listener in listeners { listener(.finished(action, message: message)) }
    }

    /// A failure: a warning event, and the object's last error unless the action was only stale (nothing wrong with the object).
    func failed(_ action: PlannedAction, error: any Error, kind: FailureKind) {
        let text = "\(action.change.symbol) \(action.target): \(error)"
        logger.warning("\(action.object): \(text)")
        if let stored = try? store.object(action.object) {
            _ = try? store.recordEvent(for: stored, type: .warning, reason: kind == .stale ? "ActionStale" : "ActionFailed", message: text, fence: fence)
            if kind != .stale { _ = try? store.updateStatus(of: stored.uid, fence: fence) { $0.lastError = "\(error)" } }
        }
        for listener in listeners { listener(.failed(action, error: "\(error)")) }
    }

    /// Phase changes a pass projected (recorded after the status transaction: the store's writes do not nest).
    func phaseChanges(_ projection: StatusProjection) {
        for change in projection.changes {
            if let mark = change.markEvent {
                _ = try? store.recordEvent(for: change.object, type: .warning, reason: mark.reason, message: mark.message, fence: fence)
            }
            guard let event = change.event else { continue }
            _ = try? store.recordEvent(for: change.object, type: event.type, reason: event.reason, message: event.message, fence: fence)
        }
    }

    static func reason(_ action: PlannedAction) -> String {
        switch action.step {
        case .uploadSourceImage: return "SourceUploaded"
        case .instantiateBuildVApp: return "BuildStarted"
        case .captureTemplate: return "TemplateCaptured"
        case .deleteTemplateItem: return "RevisionDeleted"
        case .createClusterVApp: return "VAppCreated"
        case .addVMs: return "VMsAdded"
        case .powerOnVM: return "PoweredOn"
        case .setMetadata: return "MetadataRecorded"
        case .retireBootstrap: return "BootstrapRetired"
        case .reconfigureVM: return "Resized"
        case .removeVMs: return "VMsRemoved"
        case .deleteVApp: return "VAppDeleted"
        case .confirmDeleted: return "Deleted"
        }
    }
}
