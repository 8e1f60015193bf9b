import Foundation
import Spec
import Store

/// Clusters as the tenant API shows them (the shapes vcd-cli reads).
enum ClusterView {
    static func summary(_ object: StoredObject, status: ObjectStatus) -> [String: Any] {
        guard case .cluster(let spec) = object.object else { return [:] }
        let facts = status.observed ?? ObservedFacts()
        return [
            "name": spec.name,
            "cluster_id": object.uid,
            "status": object.isDeleting ? "Deleting" : status.phase.rawValue,
            "leader_endpoint": facts.masterIP ?? NSNull(),
            "master_nodes": facts.masterName.map { [["name": $0]] } ?? [],
            "nodes": facts.nodeNames.map { ["name": $0] },
            "vdc_name": spec.vdc,
            "org_name": spec.org,
            "node_count": spec.nodes.count,
            "template": spec.template,
        ]
    }

    static func detail(_ object: StoredObject, status: ObjectStatus, events: [ObjectEvent]) -> [String: Any] {
        var view = summary(object, status: status)
        guard case .cluster(let spec) = object.object else { return view }
        var specView: [String: Any] = ["vdc": spec.vdc, "template": spec.template, "node_count": spec.nodes.count,
                                       "network": spec.network ?? NSNull(), "storage_profile": spec.storageProfile ?? NSNull()]
        if let cpu = spec.nodes.cpu { specView["node_cpu"] = cpu }
        if let memory = spec.nodes.memoryMB { specView["node_memory"] = memory }
        view["spec"] = specView
        view["generation"] = object.generation
        view["observed_generation"] = status.observedGeneration
        view["last_error"] = status.lastError ?? NSNull()
        view["conditions"] = status.conditions.map { ["type": $0.type, "status": $0.status.rawValue, "reason": $0.reason, "message": $0.message] }
        view["events"] = events.map { ["time": $0.at.formatted(.iso8601), "type": $0.type.rawValue, "reason": $0.reason, "message": $0.message] }
        return view
    }
}
