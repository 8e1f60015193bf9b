import Bootstrap
import Foundation
import Observe
import Store
import TenantAPI
import VCDClient

/// Reads a cluster's admin kubeconfig from what its master published through vCD (the guest contract's
/// kubeconfig key in the master VM's extra config), checked and pointed at the master's address.
struct VCDKubeconfigs: KubeconfigSource {
    let session: VCDSession

    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String {
        guard let observed = status.observed, let masterName = observed.masterName, let masterIP = observed.masterIP else {
            throw KubeconfigUnavailable("cluster \(cluster.key.name) has no running master yet")
        }
        // Found by names (the cluster's vApp is named after it), not by a stored href.
        let records = try await session.query("adminVM", filter: "name==\(VCDSession.filterValue(masterName));containerName==\(VCDSession.filterValue(cluster.key.name))",
                                              fields: ["name", "containerName", "org"])
        guard let master = records.first?.href else {
            throw KubeconfigUnavailable("the master VM \(masterName) of cluster \(cluster.key.name) was not found")
        }
        guard let text = GuestContract.kubeconfig(VMDocument.extraConfig(of: try await session.get(master))) else {
            throw KubeconfigUnavailable("the master of cluster \(cluster.key.name) has not published its kubeconfig yet")
        }
        return try Kubeconfig.validated(text, masterIP: masterIP)
    }
}

struct KubeconfigUnavailable: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
