import Foundation
import Testing
import VCDClient
@testable import VCDSim

/// Behaviours of real vCD the simulator plays and the client follows, each from vCD's XSDs or API reference.
@Suite("vCD conformance")
struct ConformanceTests {
    static let headers = [("Accept", "application/*+xml;version=36.0")]

    /// A vApp in org1 with one powered-off VM; returns the vApp's and the VM's href.
    static func vAppWithVM(_ sim: SimHarness, _ admin: VCDSession, name: String) async throws -> (vApp: String, vm: String) {
        let vApp = try await admin.composeAndWait(name, vdc: "org1-vdc", org: "org1")
        let (_, templateVM) = try await admin.sourceTemplateVM()
        try await admin.wait(for: try await admin.addVMs(to: vApp, [SourcedVM(name: "vm", templateVMHref: templateVM["href"]!, network: "intranet")]),
                             pollInterval: .milliseconds(20))
        let vmHref = try #require(try await admin.get(vApp["href"]!).path("Children")?.all("Vm").first?["href"])
        return (vApp["href"]!, vmHref)
    }

    static func cpuItem(root: String, namespace: String, cpu: Int) -> String {
        "<\(root) xmlns=\"\(namespace)\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" "
            + "xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\">"
            + "<rasd:ElementName>\(cpu) virtual CPU(s)</rasd:ElementName><rasd:InstanceID>4</rasd:InstanceID>"
            + "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>\(cpu)</rasd:VirtualQuantity></\(root)>"
    }

    @Test func anOvfItemRootIsRefusedAndTheVcloudItemIsTaken() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (_, vmHref) = try await Self.vAppWithVM(sim, admin, name: "rasd")
        let token = try #require(try await sim.login("administrator", "System", "sim-admin"))
        let put = Self.headers + [("Content-Type", MediaType.rasdItem)]
        let ovf = try await sim.raw("PUT", vmHref + "/virtualHardwareSection/cpu", token: token,
                                    body: Self.cpuItem(root: "Item", namespace: "http://schemas.dmtf.org/ovf/envelope/1", cpu: 3), headers: put)
        #expect(ovf.status == 400, "\(ovf.text)")
        let vcloud = try await sim.raw("PUT", vmHref + "/virtualHardwareSection/cpu", token: token,
                                       body: Self.cpuItem(root: "Item", namespace: "http://www.vmware.com/vcloud/v1.5", cpu: 3), headers: put)
        #expect(vcloud.status == 202, "\(vcloud.text)")
        // What vCD answers for the item is the same global element.
        try await admin.wait(for: try VCDTask(XMLTree.parse(vcloud.body)), pollInterval: .milliseconds(20))
        let item = try await sim.raw("GET", vmHref + "/virtualHardwareSection/cpu", token: token, headers: Self.headers)
        #expect(item.text.contains("<Item xmlns=\"http://www.vmware.com/vcloud/v1.5\""), "\(item.text)")
    }

    @Test func aRunningVMIsResizedOnlyWithHotAddAndTheClientPowerCyclesIt() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (_, vmHref) = try await Self.vAppWithVM(sim, admin, name: "hot")
        try await admin.wait(for: try await admin.powerOn(vmHref), pollInterval: .milliseconds(20))
        let vm = try await admin.get(vmHref)
        #expect(vm.path("VmCapabilities", "CpuHotAddEnabled")?.text == "false")
        // Straight to the API: refused while the VM runs without hot add.
        let token = try #require(try await sim.login("administrator", "System", "sim-admin"))
        let refused = try await sim.raw("PUT", vmHref + "/virtualHardwareSection/cpu", token: token,
                                        body: Self.cpuItem(root: "Item", namespace: "http://www.vmware.com/vcloud/v1.5", cpu: 4),
                                        headers: Self.headers + [("Content-Type", MediaType.rasdItem)])
        #expect(refused.status == 400)
        #expect(refused.text.contains("hot add"), "\(refused.text)")
        // The client powers the VM off for the change and on again.
        try await admin.resize(vmHref: vmHref, cpu: 4, memoryMB: 4096) { try await admin.wait(for: $0, pollInterval: .milliseconds(20)) }
        let resized = try await admin.get(vmHref)
        #expect(resized.path("VmSpecSection", "NumCpus")?.text == "4")
        #expect(resized.path("VmSpecSection", "MemoryResourceMb", "Configured")?.text == "4096")
        #expect(resized["status"] == "4")
    }

    @Test func withHotAddOnARunningVMGrowsWithoutAPowerCycle() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (_, vmHref) = try await Self.vAppWithVM(sim, admin, name: "hotadd")
        let token = try #require(try await sim.login("administrator", "System", "sim-admin"))
        let capabilities = "<VmCapabilities xmlns=\"http://www.vmware.com/vcloud/v1.5\"><MemoryHotAddEnabled>true</MemoryHotAddEnabled>"
            + "<CpuHotAddEnabled>true</CpuHotAddEnabled></VmCapabilities>"
        let set = try await sim.raw("PUT", vmHref + "/vmCapabilities", token: token, body: capabilities,
                                    headers: Self.headers + [("Content-Type", "application/vnd.vmware.vcloud.vmCapabilitiesSection+xml")])
        #expect(set.status == 202, "\(set.text)")
        try await admin.wait(for: try VCDTask(XMLTree.parse(set.body)), pollInterval: .milliseconds(20))
        try await admin.wait(for: try await admin.powerOn(vmHref), pollInterval: .milliseconds(20))
        // Changing hot add needs the VM powered off.
        let refused = try await sim.raw("PUT", vmHref + "/vmCapabilities", token: token, body: capabilities,
                                        headers: Self.headers + [("Content-Type", "application/vnd.vmware.vcloud.vmCapabilitiesSection+xml")])
        #expect(refused.status == 400)
        try await sim.resetCounters()
        try await admin.resize(vmHref: vmHref, cpu: 6, memoryMB: 8192) { try await admin.wait(for: $0, pollInterval: .milliseconds(20)) }
        let resized = try await admin.get(vmHref)
        #expect(resized.path("VmSpecSection", "NumCpus")?.text == "6")
        #expect(resized["status"] == "4")
        let counters = try await sim.counters()
        #expect(counters.keys.filter { $0.contains("powerOff") }.isEmpty, "\(counters)")
    }

    @Test func deletingACatalogItemAnswers204WithNoBody() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        let item = try #require(admin.catalogItems(of: catalog).first)
        let token = try #require(try await sim.login("administrator", "System", "sim-admin"))
        let answer = try await sim.raw("DELETE", item.href, token: token, headers: Self.headers)
        #expect(answer.status == 204)
        #expect(answer.body.isEmpty)
        #expect(try await sim.raw("GET", item.href, token: token, headers: Self.headers).status == 403)
        // The client takes the 204 (no task to wait for).
        let other = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        if let next = admin.catalogItems(of: other).first { #expect(try await admin.deleteCatalogItem(next.href) == nil) }
    }

    @Test func aPoweredOffVAppStaysDeployedUntilUndeployed() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (vAppHref, _) = try await Self.vAppWithVM(sim, admin, name: "dep")
        try await admin.wait(for: try await admin.powerOn(vAppHref), pollInterval: .milliseconds(20))
        try await admin.wait(for: try await admin.powerOff(vAppHref), pollInterval: .milliseconds(20))
        var vApp = try await admin.get(vAppHref)
        #expect(vApp["status"] == "8")
        #expect(vApp["deployed"] == "true")
        #expect(vApp.link(rel: "undeploy", type: MediaType.undeployVAppParams) != nil)
        await #expect(throws: VCDError.self) { _ = try await admin.delete(vAppHref) }
        try await admin.wait(for: try await admin.undeploy(vAppHref), pollInterval: .milliseconds(20))
        vApp = try await admin.get(vAppHref)
        #expect(vApp["deployed"] == "false")
        try await admin.wait(for: try await admin.delete(vAppHref), pollInterval: .milliseconds(20))
    }

    @Test func guestCustomizationStatusGoesFromPendingToComplete() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let vdc = try await admin.vdcNamed("cse-vdc", org: "cse")
        let (template, templateVM) = try await admin.sourceTemplateVM()
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!, templateVM: templateVM, name: "gc",
                                                       network: admin.networks(of: vdc)[0], ipAllocationMode: "POOL", customizationScript: "#!/bin/sh\ntrue\n")
        try await admin.wait(for: task!, pollInterval: .milliseconds(20))
        let vmHref = try #require(try await admin.get(vApp["href"]!).path("Children")?.all("Vm").first?["href"])
        var status = ""
        for _ in 0..<250 {
            let section = try await admin.get(vmHref + "/guestcustomizationstatus")
            #expect(section.name == "GuestCustomizationStatusSection")
            status = section.first("GuestCustStatus")?.text ?? ""
            if status == "GC_COMPLETE" { break }
            #expect(status == "POST_GC_PENDING" || status == "GC_PENDING")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status == "GC_COMPLETE")
    }

    @Test func queryFieldsAreTheRecordTypesAndEncodedFilterValuesAreDecoded() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        _ = try await admin.composeAndWait("a,b;c", vdc: "org1-vdc", org: "org1")
        _ = try await admin.composeAndWait("a", vdc: "org1-vdc", org: "org1")
        // AdminVMRecord has no ipAddress (queryRecordView.xsd): vCD refuses the field.
        do {
            _ = try await admin.query("adminVM", fields: ["name", "ipAddress"])
            Issue.record("an unknown query field was accepted")
        } catch let error as VCDError {
            #expect(error.status == 400)
        }
        // With filterEncoded=true a value's ',' and ';' are percent-encoded inside the filter and decoded by vCD.
        let records = try await admin.query("adminVApp", filter: "name==\(VCDSession.filterValue("a,b;c"))", fields: ["name"])
        #expect(records.compactMap(\.name) == ["a,b;c"])
    }

    @Test func tenantTasksCarryTheSessionUsersReference() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let href = try await admin.createExtensionTask(org: "org1", operation: "create cluster c1", operationName: "cluster create", ownerName: "org1")
        let task = try await admin.get(href)
        let user = task.first("User")
        guard let user else { Issue.record("the task has no User"); return }
        #expect(user["name"] == "administrator")
        #expect(user["href"]?.contains("/api/admin/user/") == true)
        try await admin.updateExtensionTask(href, status: .success, operation: "cluster c1 is ready")
        #expect(try await admin.get(href)["status"] == "success")
        // A User without href is not a ReferenceType: refused.
        let token = try #require(try await sim.login("administrator", "System", "sim-admin"))
        let org = try await admin.org(named: "org1")
        let list = try #require(org.link(rel: "down", type: MediaType.tasksList)?.href)
        let body = "<Task xmlns=\"http://www.vmware.com/vcloud/v1.5\" status=\"running\" operation=\"x\" operationName=\"y\" name=\"task\">"
            + "<User name=\"administrator\" type=\"application/vnd.vmware.admin.user+xml\"/></Task>"
        let refused = try await sim.raw("POST", list, token: token, body: body, headers: Self.headers + [("Content-Type", MediaType.task)])
        #expect(refused.status == 400)
    }
}
