import Bootstrap
import Foundation

extension Simulator {
    /// A converged cluster as cse would have built it, for seeding a large cloud directly (benchmarks).
    public struct ReadyCluster: Sendable {
        public var uid: String
        public var name: String
        public var nodes: Int
        public init(uid: String, name: String, nodes: Int) {
            self.uid = uid
            self.name = name
            self.nodes = nodes
        }
    }

    /// Fills the cloud directly (not through the API) with a captured template revision in org `cse`'s catalog `cse`,
    /// marked as cse marks it, and converged clusters of that revision in org1's vdc: what `cse run` finds after
    /// building them, so benchmarks can measure passes over Ready clusters without building thousands first.
    /// `installation`: the identity of the store the objects belong to (`cse.installation.id` on each).
    /// `cloudInit`: the revision's image boots with cloud-init (its guests read `guestinfo.userdata`).
    public func seedReadyCloud(installation: String, cloudInit: Bool, template: String, revision: Int, specHash: String, item: String, clusters: [ReadyCluster],
                               masterSize: (cpu: Int, memoryMB: Int), nodeSize: (cpu: Int, memoryMB: Int)) {
        guard let buildOrg = state.org(named: "cse"), let catalog = state.catalogs.values.first(where: { $0.org == buildOrg.id && $0.name == "cse" }),
              let org = state.org(named: "org1"), let vdc = state.vdcs.values.first(where: { $0.org == org.id }),
              let network = state.networks.values.first(where: { $0.vdc == vdc.id }),
              let owner = state.users.values.first(where: { $0.org == org.id }) else { return }
        let now = Date()
        let templateID = state.newID(0x7e)
        let itemID = state.newID(0xc1)
        state.templates[templateID] = SimTemplate(id: templateID, name: item, org: buildOrg.id, vdc: nil, catalogItem: itemID,
                                                  vms: [SimTemplateVM(id: state.newID(0x5e), name: "vm", cpu: 2, memoryMB: 2048, diskMB: 10240,
                                                                      osType: "ubuntu64Guest", isCustomized: true, hasCloudInit: cloudInit)],
                                                  status: 8, ovaSHA1: nil)
        state.catalogItems[itemID] = SimCatalogItem(id: itemID, name: item, description: "", catalog: catalog.id, template: templateID, createdAt: now)
        state.apply(Self.marks(["cse.template.name": template, "cse.template.revision": String(revision), "cse.spec.hash": specHash,
                                "cse.installation.id": installation]), to: itemID)
        for (index, cluster) in clusters.enumerated() {
            let vAppID = state.newID(0xa99)
            state.vApps[vAppID] = SimVApp(id: vAppID, name: cluster.name, description: "", org: org.id, vdc: vdc.id, owner: owner.id,
                                          networks: [SimNetworkConfig(name: network.name, parentNetwork: network.id)], isResolved: true,
                                          deployed: true, createdAt: now)
            state.apply(Self.marks(["cse.cluster.id": cluster.uid, "cse.cluster.name": cluster.name, "cse.cluster.org": org.name,
                                    "cse.spec.hash": "h", "cse.template.item": item,
                                    "cse.installation.id": installation]), to: vAppID)
            for ordinal in 0...cluster.nodes {
                let vmID = state.newID(0x5e)
                let vmName = ordinal == 0 ? "\(cluster.name)-m1" : "\(cluster.name)-n\(ordinal)"
                let size = ordinal == 0 ? masterSize : nodeSize
                state.vms[vmID] = SimVM(id: vmID, name: vmName, vApp: vAppID, org: org.id, vdc: vdc.id, cpu: size.cpu, memoryMB: size.memoryMB,
                                        diskMB: 10240, osType: "ubuntu64Guest", isCustomizedImage: true, status: 4, deployed: true,
                                        network: network.name, ipMode: "POOL", ipAddress: "10.\(index / 62500).\(index / 250 % 250).\(ordinal)",
                                        mac: "00:50:56:00:00:00", computerName: vmName, customizationScript: nil, adminPassword: "x",
                                        storageProfile: nil, extraConfig: [GuestContract.statusKey: GuestContract.Status.done.rawValue])
                state.apply(Self.marks(["cse.node.type": ordinal == 0 ? "master" : "node", "cse.cluster.id": cluster.uid,
                                        "cse.guest.ready": "true", "cse.installation.id": installation]), to: vmID)
            }
        }
        dirty = true
    }

    private static func marks(_ values: [String: String]) -> [SimMetadataChange] {
        values.map { SimMetadataChange(domain: SimMetadataChange.system, key: $0.key, value: $0.value, visibility: "READONLY") }
    }
}

extension Simulator {
    /// vCD tasks the cloud has run so far (benchmarks count them per cluster).
    public func taskCount() -> Int { state.tasks.values.filter { !$0.isExtensionTask }.count }
}
