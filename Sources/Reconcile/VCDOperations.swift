import Foundation
import Observe
import VCDClient

/// The vCD operations the executor uses, and nothing else: no store, no query by name across orgs. Every entity is
/// reached by an href the plan carries, or under an org (and vdc or catalog) the spec names. `VCDSession` is the
/// real implementation; a test may put a recording one in front of it.
public protocol VCDOperations: Sendable {
    func get(_ path: String) async throws -> XMLTree
    func org(named name: String) async throws -> XMLTree
    func vdc(named name: String, org: XMLTree) async throws -> XMLTree
    func catalog(named name: String, org: XMLTree) async throws -> XMLTree
    func networks(of vdc: XMLTree) -> [VCDSession.NamedRef]
    func catalogItems(of catalog: XMLTree) -> [VCDSession.NamedRef]
    func query(_ type: String, filter: String?, fields: [String], sortAsc: String?, pageSize: Int) async throws -> [QueryRecord]
    func templateOfItem(_ itemHref: String) async throws -> XMLTree
    func composeVApp(vdc: XMLTree, name: String, description: String, network: VCDSession.NamedRef) async throws -> (vApp: XMLTree, task: VCDTask?)
    func instantiate(vdcHref: String, templateHref: String, templateVM: XMLTree, name: String, network: VCDSession.NamedRef,
                     ipAllocationMode: String, customizationScript: String?, powerOn: Bool, description: String?) async throws -> (vApp: XMLTree, task: VCDTask?)
    /// Sets VM extra config (cloud-init user data before the first power-on).
    func setExtraConfig(vmHref: String, _ entries: [(key: String, value: String)]) async throws -> VCDTask
    func addVMs(to vApp: XMLTree, _ vms: [SourcedVM]) async throws -> VCDTask
    func removeVMs(from vApp: XMLTree, vmHrefs: [String]) async throws -> VCDTask
    func powerOn(_ entityHref: String) async throws -> VCDTask
    func undeploy(_ entityHref: String) async throws -> VCDTask
    func delete(_ href: String) async throws -> VCDTask
    /// A catalog item delete: vCD answers 204 without a task, or a task.
    func deleteCatalogItem(_ href: String) async throws -> VCDTask?
    /// Writes cse's marks (SYSTEM-domain metadata, `Marks`).
    func writeMarks(_ entityHref: String, _ marks: [(key: String, value: String)]) async throws -> VCDTask
    /// Sets a VM's CPU count and memory, waiting for each of vCD's tasks in turn.
    func resizeVM(vmHref: String, cpu: Int, memoryMB: Int, timeout: Duration, pollInterval: Duration) async throws
    func capture(vAppHref: String, into catalog: XMLTree, itemName: String, description: String) async throws -> VCDTask
    func uploadOVF(catalog: XMLTree, itemName: String, description: String, descriptor: Data, files: [String: OVFFileSource],
                   pieceSize: Int, progress: (@Sendable (String) -> Void)?, pollInterval: Duration, timeout: Duration) async throws -> String
    @discardableResult
    func wait(for task: VCDTask, timeout: Duration, pollInterval: Duration) async throws -> VCDTask
}

extension VCDSession: VCDOperations {
    public func resizeVM(vmHref: String, cpu: Int, memoryMB: Int, timeout: Duration, pollInterval: Duration) async throws {
        try await resize(vmHref: vmHref, cpu: cpu, memoryMB: memoryMB) { task in
            try await self.wait(for: task, timeout: timeout, pollInterval: pollInterval)
        }
    }
}
