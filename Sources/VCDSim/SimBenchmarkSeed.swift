import Bootstrap
import Foundation

extension Simulator {
    /// Fills the cloud directly (not through the API) with converged cse clusters and foreign vApps, for
    /// benchmarks that measure what reading a large cloud costs.
    public func seedBenchmarkCloud(clusters: Int, vmsPerCluster: Int, foreignVApps: Int) {
        guard let org = state.org(named: "org1"), let vdc = state.vdcs.values.first(where: { $0.org == org.id }),
              let network = state.networks.values.first(where: { $0.vdc == vdc.id }),
              let owner = state.users.values.first(where: { $0.org == org.id }) else { return }
        let now = Date()
        for index in 0..<(clusters + foreignVApps) {
            let isCluster = index < clusters
            let name = isCluster ? "bench\(index)" : "foreign\(index)"
            let vAppID = state.newID(0xa99)
            state.vApps[vAppID] = SimVApp(id: vAppID, name: name, description: "", org: org.id, vdc: vdc.id, owner: owner.id,
                                          networks: [SimNetworkConfig(name: network.name, parentNetwork: network.id)], isResolved: true,
                                          deployed: true, createdAt: now)
            if isCluster {
                // In the SYSTEM domain, as cse writes its marks.
                state.apply(Self.systemMarks(["cse.cluster.id": "uid-\(index)", "cse.cluster.name": name, "cse.cluster.org": org.name,
                                              "cse.spec.hash": "h", "cse.template.item": "k8s-u-r1"]), to: vAppID)
            }
            for ordinal in 0..<vmsPerCluster {
                let vmID = state.newID(0x5e)
                let vmName = ordinal == 0 ? "\(name)-m1" : "\(name)-n\(ordinal)"
                state.vms[vmID] = SimVM(id: vmID, name: vmName, vApp: vAppID, org: org.id, vdc: vdc.id, cpu: 2, memoryMB: 2048, diskMB: 10240,
                                        osType: "ubuntu64Guest", isCustomizedImage: true, status: 4, deployed: true, network: network.name,
                                        ipMode: "POOL", ipAddress: nil, mac: "00:50:56:00:00:00", computerName: vmName, customizationScript: nil,
                                        adminPassword: "x", storageProfile: nil,
                                        extraConfig: [GuestContract.statusKey: GuestContract.Status.done.rawValue])
                if isCluster {
                    state.apply(Self.systemMarks(["cse.node.type": ordinal == 0 ? "master" : "node", "cse.cluster.id": "uid-\(index)",
                                                  "cse.guest.ready": "true"]), to: vmID)
                }
            }
        }
        dirty = true
    }

    /// The request counters since the last call (and resets them).
    public func takeCounters() -> [String: Int] {
        defer { counters = [:] }
        return counters
    }

    private static func systemMarks(_ values: [String: String]) -> [SimMetadataChange] {
        values.map { SimMetadataChange(domain: SimMetadataChange.system, key: $0.key, value: $0.value, visibility: "READONLY") }
    }
}
