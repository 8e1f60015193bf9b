import Foundation

/// A VM a compose, instantiate or recompose asks for.
struct SimPendingVM: Codable, Sendable {
    var name: String
    var sourceVM: String
    var network: String?
    var ipMode: String
    var computerName: String
    var customizationScript: String?
    var storageProfile: String?
}

/// What a task does when it completes. Data, not closures, so saved state can finish tasks after a restart.
enum SimEffect: Codable, Sendable {
    case none
    case resolveVApp(vApp: String)
    case addVMs(vApp: String, vms: [SimPendingVM], powerOn: Bool)
    case recompose(vApp: String, add: [SimPendingVM], delete: [String])
    case power(vms: [String], on: Bool, undeploy: Bool, vApp: String?)
    case deleteVApp(vApp: String)
    /// GENERAL-domain changes (the form of state files written before domains).
    case metadata(entity: String, set: [String: String], remove: [String])
    case domainMetadata(entity: String, changes: [SimMetadataChange])
    case hardware(vm: String, cpu: Int?, memoryMB: Int?, extraConfig: [String: String])
    /// VmCapabilities: hot add of CPUs and memory (nil: unchanged).
    case capabilities(vm: String, cpuHotAdd: Bool?, memoryHotAdd: Bool?)
    case capture(vApp: String, template: String)
    case deleteCatalogItem(item: String)
    case resolveTemplate(template: String)
}
