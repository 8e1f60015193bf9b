import Observe
import Spec

/// The cluster vApps of a snapshot, indexed once by the cluster id they carry. A vApp is a cluster's only when it
/// carries the cluster's id **and** sits in the cluster's org and vdc: the id alone is metadata, and a vApp of
/// another org carrying it is never taken for the cluster (nor acted on, nor read for its kubeconfig).
struct ClusterVApps {
    private let vApps: [ObservedVApp]
    private var byOwner: [String: [Int]] = [:]

    init(_ snapshot: Snapshot) {
        vApps = snapshot.clusters
        byOwner.reserveCapacity(vApps.count)
        for (index, vApp) in vApps.enumerated() { byOwner[vApp.owner, default: []].append(index) }
    }

    func vApp(of cluster: DesiredState.Cluster) -> ObservedVApp? {
        vApp(uid: cluster.uid, org: cluster.spec.org, vdc: cluster.spec.vdc)
    }

    func vApp(uid: String, org: String, vdc: String) -> ObservedVApp? {
        guard let indices = byOwner[uid] else { return nil }
        return indices.lazy.map { vApps[$0] }.first { $0.org == org && $0.vdc == vdc }
    }
}
