import Foundation
import Observe
import Store
import VCDClient

/// The executor's vCD operations behind the lease: every write first checks that this process still holds the lease
/// it was started under (`LeaseFence.check`, by this process's own clock, since vCD knows nothing of cse's lease), so a
/// replica that lost the lease (it stalled past the lease's expiry, another took over) makes no vCD write. Reads pass.
/// vCD cannot check a token itself: a process stopped between the check and its request can still send that one request.
struct FencedOperations: VCDOperations {
    let vcd: any VCDOperations
    let fence: LeaseFence

    private func check(_ write: String) throws {
        try fence.check("vCD: \(write)")
    }

    func get(_ path: String) async throws -> XMLTree { try await vcd.get(path) }
    func org(named name: String) async throws -> XMLTree { try await vcd.org(named: name) }
    func vdc(named name: String, org: XMLTree) async throws -> XMLTree { try await vcd.vdc(named: name, org: org) }
    func catalog(named name: String, org: XMLTree) async throws -> XMLTree { try await vcd.catalog(named: name, org: org) }
    func networks(of vdc: XMLTree) -> [VCDSession.NamedRef] { vcd.networks(of: vdc) }
    func catalogItems(of catalog: XMLTree) -> [VCDSession.NamedRef] { vcd.catalogItems(of: catalog) }
    func query(_ type: String, filter: String?, fields: [String], sortAsc: String?, pageSize: Int) async throws -> [QueryRecord] {
        try await vcd.query(type, filter: filter, fields: fields, sortAsc: sortAsc, pageSize: pageSize)
    }
    func templateOfItem(_ itemHref: String) async throws -> XMLTree { try await vcd.templateOfItem(itemHref) }

    func composeVApp(vdc: XMLTree, name: String, description: String, network: VCDSession.NamedRef) async throws -> (vApp: XMLTree, task: VCDTask?) {
        try check("compose vApp \(name)")
        return try await vcd.composeVApp(vdc: vdc, name: name, description: description, network: network)
    }

    func instantiate(vdcHref: String, templateHref: String, templateVM: XMLTree, name: String, network: VCDSession.NamedRef,
                     ipAllocationMode: String, customizationScript: String?, powerOn: Bool, description: String?) async throws -> (vApp: XMLTree, task: VCDTask?) {
        try check("instantiate \(name)")
        return try await vcd.instantiate(vdcHref: vdcHref, templateHref: templateHref, templateVM: templateVM, name: name, network: network,
                                         ipAllocationMode: ipAllocationMode, customizationScript: customizationScript, powerOn: powerOn,
                                         description: description)
    }

    func setExtraConfig(vmHref: String, _ entries: [(key: String, value: String)]) async throws -> VCDTask {
        try check("extra config")
        return try await vcd.setExtraConfig(vmHref: vmHref, entries)
    }

    func addVMs(to vApp: XMLTree, _ vms: [SourcedVM]) async throws -> VCDTask {
        try check("add VMs")
        return try await vcd.addVMs(to: vApp, vms)
    }

    func removeVMs(from vApp: XMLTree, vmHrefs: [String]) async throws -> VCDTask {
        try check("remove VMs")
        return try await vcd.removeVMs(from: vApp, vmHrefs: vmHrefs)
    }

    func powerOn(_ entityHref: String) async throws -> VCDTask {
        try check("power on")
        return try await vcd.powerOn(entityHref)
    }

    func undeploy(_ entityHref: String) async throws -> VCDTask {
        try check("undeploy")
        return try await vcd.undeploy(entityHref)
    }

    func delete(_ href: String) async throws -> VCDTask {
        try check("delete")
        return try await vcd.delete(href)
    }

    func deleteCatalogItem(_ href: String) async throws -> VCDTask? {
        try check("delete catalog item")
        return try await vcd.deleteCatalogItem(href)
    }

    func writeMarks(_ entityHref: String, _ marks: [(key: String, value: String)]) async throws -> VCDTask {
        try check("marks")
        return try await vcd.writeMarks(entityHref, marks)
    }

    func resizeVM(vmHref: String, cpu: Int, memoryMB: Int, timeout: Duration, pollInterval: Duration) async throws {
        try check("resize VM")
        try await vcd.resizeVM(vmHref: vmHref, cpu: cpu, memoryMB: memoryMB, timeout: timeout, pollInterval: pollInterval)
    }

    func capture(vAppHref: String, into catalog: XMLTree, itemName: String, description: String) async throws -> VCDTask {
        try check("capture \(itemName)")
        return try await vcd.capture(vAppHref: vAppHref, into: catalog, itemName: itemName, description: description)
    }

    func uploadOVF(catalog: XMLTree, itemName: String, description: String, descriptor: Data, files: [String: OVFFileSource],
                   pieceSize: Int, progress: (@Sendable (String) -> Void)?, pollInterval: Duration, timeout: Duration) async throws -> String {
        try check("upload \(itemName)")
        return try await vcd.uploadOVF(catalog: catalog, itemName: itemName, description: description, descriptor: descriptor, files: files,
                                       pieceSize: pieceSize, progress: progress, pollInterval: pollInterval, timeout: timeout)
    }

    @discardableResult
    func wait(for task: VCDTask, timeout: Duration, pollInterval: Duration) async throws -> VCDTask {
        try await vcd.wait(for: task, timeout: timeout, pollInterval: pollInterval)
    }
}
