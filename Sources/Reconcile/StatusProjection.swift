import Foundation
import Observe
import Spec
import Store

/// A pass's statuses, projected purely from what the pass read (its desired objects, its snapshot, its plan)
/// over the statuses stored before it: only the rows that change are written, so a pass over converged objects
/// writes nothing.
struct StatusProjection {
    struct Change {
        var object: StoredObject
        var status: ObjectStatus
        /// A phase change worth an event line.
        var event: (type: ObjectEvent.EventType, reason: String, message: String)?
        /// New findings about cse's marks on the object (`MarkReport`), a warning line.
        var markEvent: (reason: String, message: String)?
    }

    /// What the pass concluded about one object, at the generation it read (tenant tasks end from this).
    struct Judgement: Sendable, Equatable {
        var generation: Int
        var phase: ObjectStatus.Phase
        var failure: String?
        /// The pass had no action left for this generation (or the object was ready or deleting).
        var settled: Bool
        /// The plan still had actions for the object (a ready cluster's last metadata writes, for instance).
        var actionsLeft = false
    }

    var changes: [Change] = []
    var judged: [String: Judgement] = [:]

    static func project(objects: [StoredObject], previous: [String: ObjectStatus], plan: Plan, snapshot: Snapshot,
                        now: Date) -> StatusProjection {
        var projection = StatusProjection()
        let vApps = ClusterVApps(snapshot)
        let markFindings = MarkReport.byObject(snapshot)
        let waitingKeys = Set(plan.actions.map(\.object))
        for object in objects {
            guard let assessment = plan.assessments[object.key] else { continue }
            let old = previous[object.uid] ?? ObjectStatus()
            var status = old
            status.lastReconcileAt = old.lastReconcileAt
            let markEvent: (reason: String, message: String)?
            if case .cluster(let spec) = object.object {
                status.observed = vApps.vApp(uid: object.uid, org: spec.org, vdc: spec.vdc).map(facts)
                markEvent = MarkReport.apply(markFindings.clusters[object.uid] ?? [], to: &status, at: now)
            } else {
                markEvent = MarkReport.apply(markFindings.templates[object.key.name] ?? [], to: &status, at: now)
            }
            status.phase = assessment.phase
            let settled = assessment.phase == .ready || assessment.phase == .deleting || !waitingKeys.contains(object.key)
            if settled { status.observedGeneration = object.generation }
            if let failure = assessment.failure { status.lastError = failure } else if assessment.phase == .ready { status.lastError = nil }
            status.setCondition("Ready", status: assessment.phase == .ready ? .true : .false,
                                reason: assessment.phase.rawValue, message: assessment.message, at: now)
            projection.judged[object.uid] = Judgement(generation: object.generation, phase: assessment.phase,
                                                      failure: assessment.failure ?? status.lastError, settled: settled,
                                                      actionsLeft: waitingKeys.contains(object.key))
            guard status != old else { continue }
            status.lastReconcileAt = now
            let phaseChanged = old.phase != assessment.phase && (old.phase != .pending || assessment.phase != .pending)
            let event = phaseChanged
                ? (type: assessment.phase == .failed ? ObjectEvent.EventType.warning : .normal, reason: assessment.phase.rawValue,
                   message: assessment.failure ?? assessment.message)
                : nil
            projection.changes.append(Change(object: object, status: status, event: event, markEvent: markEvent))
        }
        return projection
    }

    static func facts(_ vApp: ObservedVApp) -> ObservedFacts {
        let master = vApp.vms.first { Naming.parseVM($0.name, cluster: vApp.name)?.role == .master }
        let nodes = vApp.vms.filter { Naming.parseVM($0.name, cluster: vApp.name)?.role == .node }.map(\.name)
        return ObservedFacts(vAppHref: vApp.href, masterIP: master?.ipAddress, masterName: master?.name, nodeNames: nodes)
    }
}
