import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator vApps and VMs")
struct VAppLifecycleTests {
    @Test func composeRecomposePowerUndeployDeleteWithPoolAddresses() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        var vApp = try await admin.composeAndWait("app1", vdc: "org1-vdc", org: "org1")
        #expect(vApp["status"] == "8")
        let (_, templateVM) = try await admin.sourceTemplateVM()
        let add = try await admin.addVMs(to: vApp, [SourcedVM(name: "vm-a", templateVMHref: templateVM["href"]!, network: "intranet"),
                                                     SourcedVM(name: "vm-b", templateVMHref: templateVM["href"]!, network: "intranet")])
        #expect(add.status == .running)
        let done = try await admin.wait(for: add, pollInterval: .milliseconds(20))
        #expect(done.status == .success)
        vApp = try await admin.get(vApp["href"]!)
        let vms = vApp.path("Children")!.all("Vm")
        #expect(vms.compactMap { $0["name"] } == ["vm-a", "vm-b"])
        let addresses = vms.compactMap { $0.first("NetworkConnectionSection")?.first("NetworkConnection")?.first("IpAddress")?.text }
        #expect(addresses == ["10.20.0.10", "10.20.0.11"])
        // Power on one VM: the vApp shows mixed (10), then all on (4).
        try await admin.wait(for: try await admin.powerOn(vms[0]["href"]!), pollInterval: .milliseconds(20))
        #expect(try await admin.get(vApp["href"]!)["status"] == "10")
        try await admin.wait(for: try await admin.powerOn(vApp["href"]!), pollInterval: .milliseconds(20))
        #expect(try await admin.get(vApp["href"]!)["status"] == "4")
        // A powered-on VM cannot be removed; undeploy first.
        await #expect(throws: VCDError.self) { _ = try await admin.removeVMs(from: vApp, vmHrefs: [vms[0]["href"]!]) }
        try await admin.wait(for: try await admin.undeploy(vms[0]["href"]!), pollInterval: .milliseconds(20))
        try await admin.wait(for: try await admin.removeVMs(from: try await admin.get(vApp["href"]!), vmHrefs: [vms[0]["href"]!]), pollInterval: .milliseconds(20))
        let vdc = try await admin.vdcNamed("org1-vdc", org: "org1")
        let network = try await admin.get(admin.networks(of: vdc)[0].href)
        #expect(network.descendants("IpAddress").map(\.text) == ["10.20.0.11"])
        // Deleting a running vApp is refused; undeployed, it goes, and its addresses return to the pool.
        await #expect(throws: VCDError.self) { _ = try await admin.delete(vApp["href"]!) }
        try await admin.wait(for: try await admin.undeploy(vApp["href"]!), pollInterval: .milliseconds(20))
        try await admin.wait(for: try await admin.delete(vApp["href"]!), pollInterval: .milliseconds(20))
        #expect(try await admin.query("adminVApp").isEmpty)
        let audit = try await sim.audit()
        #expect((audit["addresses"] as? [Any])?.isEmpty == true)
        #expect((audit["problems"] as? [String]) == [])
    }

    @Test func aChangeToAnEntityWithARunningTaskIsRefusedWithBusyEntity() async throws {
        let sim = try await SimHarness.start { $0.taskSeconds = 1.0 }
        defer { Task { await sim.stop() } }
        let admin = sim.admin(retry: .none)
        let vdc = try await admin.vdcNamed("org1-vdc", org: "org1")
        let (vApp, task) = try await admin.composeVApp(vdc: vdc, name: "busy", description: "", network: admin.networks(of: vdc)[0])
        #expect(task?.status == .running)
        do {
            _ = try await admin.mergeMetadata(vApp["href"]!, [.general("k", "v")])
            Issue.record("a change during a running task was accepted")
        } catch let error as VCDError {
            #expect(error.status == 400)
            #expect(error.isBusyEntity)
        }
        try await admin.wait(for: task!, pollInterval: .milliseconds(50))
        try await admin.wait(for: try await admin.mergeMetadata(vApp["href"]!, [.general("k", "v")]), pollInterval: .milliseconds(50))
    }

    @Test func duplicateNamesAndPoolExhaustionAreErrors() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        _ = try await admin.composeAndWait("same", vdc: "org2-vdc", org: "org2")
        do {
            _ = try await admin.composeAndWait("same", vdc: "org2-vdc", org: "org2")
            Issue.record("a second vApp with the same name was created")
        } catch let error as VCDError {
            #expect(error.minorErrorCode == "DUPLICATE_NAME")
        }
    }

    @Test func resizeAndExtraConfigThroughTheAPI() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let vApp = try await admin.composeAndWait("sized", vdc: "org1-vdc", org: "org1")
        let (_, templateVM) = try await admin.sourceTemplateVM()
        try await admin.wait(for: try await admin.addVMs(to: vApp, [SourcedVM(name: "vm", templateVMHref: templateVM["href"]!, network: "intranet")]),
                             pollInterval: .milliseconds(20))
        let vmHref = try await admin.get(vApp["href"]!).path("Children")!.all("Vm")[0]["href"]!
        try await admin.resize(vmHref: vmHref, cpu: 4, memoryMB: 6144) { try await admin.wait(for: $0, pollInterval: .milliseconds(20)) }
        let vm = try await admin.get(vmHref)
        #expect(vm.path("VmSpecSection", "NumCpus")?.text == "4")
        #expect(vm.path("VmSpecSection", "MemoryResourceMb", "Configured")?.text == "6144")
        let records = try await admin.query("adminVM", filter: "name==vm", fields: ["name", "numberOfCpus", "memoryMB"])
        #expect(records.first?["numberOfCpus"] == "4")
        #expect(records.first?["memoryMB"] == "6144")
    }

    @Test func captureMakesACatalogItemFromAVApp() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (template, templateVM) = try await admin.sourceTemplateVM()
        let vdc = try await admin.vdcNamed("cse-vdc", org: "cse")
        let network = admin.networks(of: vdc)[0]
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!, templateVM: templateVM, name: "build",
                                                       network: network, ipAllocationMode: "POOL", customizationScript: nil)
        try await admin.wait(for: task!, pollInterval: .milliseconds(20))
        #expect(try await admin.get(vApp["href"]!)["status"] == "4")
        try await admin.wait(for: try await admin.undeploy(vApp["href"]!), pollInterval: .milliseconds(20))
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        try await admin.wait(for: try await admin.capture(vAppHref: vApp["href"]!, into: catalog, itemName: "captured", description: "d"),
                             pollInterval: .milliseconds(20))
        let items = try await admin.query("adminCatalogItem", filter: "name==captured", fields: ["name", "status", "entity"])
        #expect(items.count == 1)
        #expect(items.first?["status"] == "RESOLVED")
        let captured = try await admin.get(items[0]["entity"]!)
        #expect(captured.path("Children")?.all("Vm").count == 1)
    }
}
