import Foundation
import Metrics
import Spec
import Store

/// What the reconciler reports through swift-metrics (the `cse` executable picks the backend; without one nothing is
/// kept). Names follow Prometheus' conventions; labels carry kinds, phases and results, never names or hrefs.
enum ReconcileMetrics {
    static let passes = "cse_reconcile_passes_total"
    static let passDuration = "cse_reconcile_pass_duration_seconds"
    static let actions = "cse_reconcile_actions_total"
    static let queueDepth = "cse_reconcile_queue_depth"
    static let inFlight = "cse_reconcile_actions_in_flight"
    static let objects = "cse_objects"
    static let leaseHeld = "cse_reconciler_lease_held"

    /// One pass of the service's loop: `ok` false when it threw.
    static func pass(ok: Bool, duration: Duration) {
        Counter(label: passes, dimensions: [("result", ok ? "ok" : "error")]).increment()
        Timer(label: passDuration).record(duration: duration)
    }

    /// What a pass left: planned actions waiting (not running), actions running, and objects by kind and phase
    /// (every phase is set, so a phase nobody is in any more reads 0).
    static func passed(plan: Plan, objects stored: [StoredObject], waiting: Int, running: Int) {
        Gauge(label: queueDepth).record(waiting)
        Gauge(label: inFlight).record(running)
        let kinds = Dictionary(stored.map { ($0.key, $0.object.kind) }, uniquingKeysWith: { first, _ in first })
        var counts: [ObjectKind: [ObjectStatus.Phase: Int]] = [:]
        for (key, assessment) in plan.assessments {
            guard let kind = kinds[key] else { continue }
            counts[kind, default: [:]][assessment.phase, default: 0] += 1
        }
        for kind in ObjectKind.allCases {
            for phase in ObjectStatus.Phase.allCases {
                Gauge(label: objects, dimensions: [("kind", kind.rawValue.lowercased()), ("phase", phase.rawValue)])
                    .record(counts[kind]?[phase] ?? 0)
            }
        }
    }

    /// An action ended: `failure` nil when it succeeded.
    static func action(_ action: PlannedAction, failure: FailureKind?) {
        let result = switch failure {
        case nil: "succeeded"
        case .transient: "failed_transient"
        case .stale: "failed_stale"
        case .refused: "failed_refused"
        case .permanent: "failed_permanent"
        }
        Counter(label: actions, dimensions: [("kind", action.step.kindName), ("result", result)]).increment()
    }

    /// 1 while this process holds the store's reconciler lease.
    static func lease(held: Bool) {
        Gauge(label: leaseHeld).record(held ? 1 : 0)
    }
}

extension Step {
    /// The step's kind, as a metric label.
    var kindName: String {
        switch self {
        case .uploadSourceImage: "upload_source_image"
        case .instantiateBuildVApp: "instantiate_build_vapp"
        case .captureTemplate: "capture_template"
        case .deleteTemplateItem: "delete_template_item"
        case .createClusterVApp: "create_cluster_vapp"
        case .addVMs: "add_vms"
        case .powerOnVM: "power_on_vm"
        case .setMetadata: "set_metadata"
        case .reconfigureVM: "reconfigure_vm"
        case .retireBootstrap: "retire_bootstrap"
        case .removeVMs: "remove_vms"
        case .deleteVApp: "delete_vapp"
        case .confirmDeleted: "confirm_deleted"
        }
    }
}
