import Foundation

/// Everything the simulated cloud holds. A value: saved to and loaded from a file as JSON.
struct SimState: Codable, Sendable {
    var counter = 0
    var orgs: [String: SimOrg] = [:]
    var users: [String: SimUser] = [:]
    var vdcs: [String: SimVdc] = [:]
    var networks: [String: SimNetwork] = [:]
    var catalogs: [String: SimCatalog] = [:]
    var catalogItems: [String: SimCatalogItem] = [:]
    var templates: [String: SimTemplate] = [:]
    var vApps: [String: SimVApp] = [:]
    var vms: [String: SimVM] = [:]
    var tasks: [String: SimTask] = [:]
    var sessions: [String: SimSession] = [:]
    var extensions: [String: SimExtensionService] = [:]
    /// Entity id -> GENERAL-domain metadata key -> value.
    var metadata: [String: [String: String]] = [:]
    /// Entity id -> SYSTEM-domain metadata key -> entry. Optional so that state files written before SYSTEM metadata load.
    var systemMetadataByEntity: [String: [String: SimSystemMetadata]]?

    /// Ids look like vCD's UUIDs and are unique within a state; `kind` keeps them readable in tests.
    mutating func newID(_ kind: UInt32) -> String {
        counter += 1
        return String(format: "%08x-0000-4000-8000-%012x", kind, counter)
    }

    init() {}

    init(inventory: SimInventory, now: Date) throws {
        for org in inventory.orgs {
            let orgID = newID(1)
            orgs[orgID] = SimOrg(id: orgID, name: org.name, fullName: org.fullName ?? org.name)
            for user in org.users ?? [] {
                guard let role = SimRole(rawValue: user.role) else { throw SimSetupError("user \(org.name)/\(user.name): unknown role '\(user.role)'") }
                if role == .systemAdministrator && org.name.lowercased() != "system" {
                    throw SimSetupError("user \(org.name)/\(user.name): system administrators belong to org System")
                }
                let id = newID(2)
                users[id] = SimUser(id: id, name: user.name, org: orgID, password: user.password, role: role)
            }
            for vdc in org.vdcs ?? [] {
                let vdcID = newID(3)
                let profiles = (vdc.storageProfiles ?? ["*"]).map { SimStorageProfile(id: newID(4), name: $0) }
                vdcs[vdcID] = SimVdc(id: vdcID, name: vdc.name, org: orgID, storageProfiles: profiles,
                                     cpuLimitMHz: vdc.cpuLimitMHz ?? 100_000, memoryLimitMB: vdc.memoryLimitMB ?? 262_144)
                for network in vdc.networks ?? [] {
                    let bounds = network.pool.split(separator: "-").map { String($0).trimmingCharacters(in: .whitespaces) }
                    guard bounds.count == 2, IPv4.parse(bounds[0]) != nil, IPv4.parse(bounds[1]) != nil else {
                        throw SimSetupError("network \(org.name)/\(network.name): pool must be FIRST-LAST, got '\(network.pool)'")
                    }
                    let id = newID(5)
                    networks[id] = SimNetwork(id: id, name: network.name, org: orgID, vdc: vdcID, gateway: network.gateway,
                                              netmask: network.netmask ?? "255.255.255.0", poolStart: bounds[0], poolEnd: bounds[1])
                }
            }
            for catalog in org.catalogs ?? [] {
                let catalogID = newID(6)
                catalogs[catalogID] = SimCatalog(id: catalogID, name: catalog.name, org: orgID, published: catalog.published)
                for item in catalog.items ?? [] {
                    let templateID = newID(7)
                    let itemID = newID(8)
                    let vm = SimTemplateVM(id: newID(9), name: "vm", cpu: item.cpu ?? 1, memoryMB: item.memoryMB ?? 1024,
                                           diskMB: item.diskMB ?? 10240, osType: item.osType ?? "otherLinux64Guest", isCustomized: false,
                                           hasCloudInit: item.cloudInit)
                    templates[templateID] = SimTemplate(id: templateID, name: item.name, org: orgID, vdc: nil, catalogItem: itemID, vms: [vm],
                                                        status: 8, ovaSHA1: item.sha1)
                    catalogItems[itemID] = SimCatalogItem(id: itemID, name: item.name, description: "uploaded OVA", catalog: catalogID,
                                                          template: templateID, createdAt: now)
                }
            }
        }
    }

    // MARK: lookups

    func org(named name: String) -> SimOrg? { orgs.values.first { $0.name.caseInsensitiveCompare(name) == .orderedSame } }
    func vmsOf(vApp id: String) -> [SimVM] { vms.values.filter { $0.vApp == id }.sorted { ($0.name, $0.id) < ($1.name, $1.id) } }
    func templateVM(_ id: String) -> (SimTemplate, SimTemplateVM)? {
        for template in templates.values {
            if let vm = template.vms.first(where: { $0.id == id }) { return (template, vm) }
        }
        return nil
    }

    /// vApp status code as vCD reports it: 0 while creating, 4 all VMs on, 8 all off or empty, 10 mixed.
    func status(ofVApp vApp: SimVApp, vms: [SimVM]? = nil) -> Int {
        guard vApp.isResolved else { return 0 }
        let codes = Set((vms ?? vmsOf(vApp: vApp.id)).map(\.status))
        if codes.isEmpty { return 8 }
        return codes.count == 1 ? codes.first! : 10
    }

    /// Running (or queued) tasks on an entity.
    func runningTask(on id: String) -> SimTask? {
        tasks.values.first { $0.objectID == id && !$0.status.isFinished && !$0.isExtensionTask }
    }

    // MARK: IP pools

    mutating func allocateIP(network networkID: String, vm: String) -> String? {
        guard var network = networks[networkID], let start = IPv4.parse(network.poolStart), let end = IPv4.parse(network.poolEnd) else { return nil }
        if let held = network.allocated.first(where: { $0.value == vm })?.key { return held }
        var candidate = start
        while candidate <= end {
            let address = IPv4.string(candidate)
            if network.allocated[address] == nil {
                network.allocated[address] = vm
                networks[networkID] = network
                return address
            }
            candidate += 1
        }
        return nil
    }

    mutating func releaseIPs(of vm: String) {
        for (id, var network) in networks where network.allocated.values.contains(vm) {
            network.allocated = network.allocated.filter { $0.value != vm }
            networks[id] = network
        }
    }
}

/// Dotted-quad addresses as integers for pool arithmetic.
enum IPv4 {

    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
        return parts.reduce(0) { $0 << 8 | $1 }
    }

    static func string(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
    }
}
