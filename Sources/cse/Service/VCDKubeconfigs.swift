import Bootstrap
import Foundation
import GuestSecrets
import Observe
import Store
import TenantAPI
import VCDClient

/// Reads a cluster's admin kubeconfig from what its master published through vCD (the guest contract's
/// kubeconfig key in the master VM's extra config), checked and pointed at the master's address.
///
/// The master is found through the cluster's own vApp, by the href the reconciler stored when it observed the
/// vApp carrying this cluster's id: never by name (names repeat across orgs, and a query by name would hand one
/// tenant another tenant's credentials).
struct VCDKubeconfigs: KubeconfigSource {
    let session: VCDSession
    /// The installation's keys: the master seals its kubeconfig to one of them.
    let keys: InstallationKeys

    func kubeconfig(for cluster: StoredObject, status: ObjectStatus) async throws -> String {
        guard let masterIP = status.observed?.masterIP else { throw KubeconfigUnavailable("cluster \(cluster.key.name) has no running master yet") }
        let extraConfig = try await masterExtraConfig(for: cluster, status: status)
        let keys = self.keys
        let published: String?
        do {
            published = try GuestContract.kubeconfig(extraConfig, open: { try keys.open($0) })
        } catch {
            throw KubeconfigUnavailable("the kubeconfig the master of cluster \(cluster.key.name) published does not open: \(error)")
        }
        guard let text = published else {
            throw KubeconfigUnavailable("the master of cluster \(cluster.key.name) has not published its kubeconfig yet")
        }
        return try Kubeconfig.validated(text, masterIP: masterIP)
    }

    /// The ids of the installation keys the cluster's master seals to (what `cse keys prune` must keep).
    func sealingKeyIDs(for cluster: StoredObject, status: ObjectStatus) async throws -> Set<String> {
        let extraConfig = try await masterExtraConfig(for: cluster, status: status)
        return Set(GuestContract.secretKeys.compactMap { extraConfig[$0] }.compactMap { try? SealedSecret($0).keyID })
    }

    private func masterExtraConfig(for cluster: StoredObject, status: ObjectStatus) async throws -> [String: String] {
        guard let observed = status.observed, let vAppHref = observed.vAppHref, !vAppHref.isEmpty, let masterName = observed.masterName else {
            throw KubeconfigUnavailable("cluster \(cluster.key.name) has no running master yet")
        }
        let vApp: XMLTree
        do {
            vApp = try await session.get(vAppHref)
        } catch let error as VCDError where error.isNotFound {
            throw KubeconfigUnavailable("the vApp of cluster \(cluster.key.name) is gone")
        }
        guard let master = vApp.path("Children")?.all("Vm").first(where: { $0["name"] == masterName }), let masterHref = master["href"] else {
            throw KubeconfigUnavailable("the master VM \(masterName) of cluster \(cluster.key.name) was not found in its vApp")
        }
        return VMDocument.extraConfig(of: try await session.get(masterHref))
    }
}

struct KubeconfigUnavailable: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
