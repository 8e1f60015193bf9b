import Bootstrap
import Foundation
import GuestSecrets
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator guests and saved state")
struct GuestAndStateTests {
    /// Adds a VM running `script` to a vApp made from a customized template, powers it on, returns its href.
    private func bootVM(_ admin: VCDSession, vApp: XMLTree, name: String, templateVM: String, script: String) async throws -> String {
        try await admin.wait(for: try await admin.addVMs(to: vApp, [SourcedVM(name: name, templateVMHref: templateVM, network: "intranet", customizationScript: script)]),
                             pollInterval: .milliseconds(20))
        let vm = try await admin.get(vApp["href"]!).path("Children")!.all("Vm").first { $0["name"] == name }!
        try await admin.wait(for: try await admin.powerOn(vm["href"]!), pollInterval: .milliseconds(20))
        return vm["href"]!
    }

    private func extraConfig(_ admin: VCDSession, _ href: String) async throws -> [String: String] {
        var result: [String: String] = [:]
        for item in try await admin.get(href).descendants("ExtraConfig") { result[item["key"]!] = item["value"] ?? "" }
        return result
    }

    private func waitFor(_ admin: VCDSession, _ href: String, until done: ([String: String]) -> Bool) async throws -> [String: String] {
        for _ in 0..<200 {
            let config = try await extraConfig(admin, href)
            if done(config) { return config }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SimTestError("guest of \(href) never reached the expected state")
    }

    /// Builds a customized template the way cse does: template guest, undeploy, capture.
    private func customizedTemplateVM(_ admin: VCDSession) async throws -> String {
        let (template, templateVM) = try await admin.sourceTemplateVM()
        let vdc = try await admin.vdcNamed("cse-vdc", org: "cse")
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!, templateVM: templateVM, name: "build",
                                                       network: admin.networks(of: vdc)[0], ipAllocationMode: "POOL",
                                                       customizationScript: GuestContract.header(role: .template))
        try await admin.wait(for: task!, pollInterval: .milliseconds(20))
        let vmHref = try await admin.get(vApp["href"]!).path("Children")!.all("Vm")[0]["href"]!
        let final = try await waitFor(admin, vmHref) { $0[GuestContract.statusKey] == "done" }
        #expect(final[GuestContract.phaseKey] == GuestContract.phases(for: .template).last)
        try await admin.wait(for: try await admin.undeploy(vApp["href"]!), pollInterval: .milliseconds(20))
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        try await admin.wait(for: try await admin.capture(vAppHref: vApp["href"]!, into: catalog, itemName: "k8s", description: ""), pollInterval: .milliseconds(20))
        let item = try await admin.query("adminCatalogItem", filter: "name==k8s", fields: ["entity"])[0]
        return try await admin.get(item["entity"]!).path("Children")!.all("Vm")[0]["href"]!
    }

    /// A capture keeps the VM's extra config (a vSphere clone keeps the .vmx settings), VMs made from the template get
    /// it, and the audit finds secrets there; an entry set with an empty value is removed (what cse does before a
    /// capture, and once a guest's bootstrap ran).
    @Test func capturedExtraConfigReachesClonesAndTheAuditUntilRemoved() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (template, templateVM) = try await admin.sourceTemplateVM()
        let vdc = try await admin.vdcNamed("cse-vdc", org: "cse")
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!, templateVM: templateVM, name: "build",
                                                       network: admin.networks(of: vdc)[0], ipAllocationMode: "POOL", customizationScript: nil)
        try await admin.wait(for: task!, pollInterval: .milliseconds(20))
        let buildVM = try await admin.get(vApp["href"]!).path("Children")!.all("Vm")[0]["href"]!
        let script = "#!/bin/bash\nhash='$6$saltsalt$0123456789abcdefghij'\nprintf 'root:%s\\n' \"$hash\" | chpasswd -e\n"
        let userData = CloudInitUserData.extraConfig(script: script)
        try await admin.wait(for: try await admin.setExtraConfig(vmHref: buildVM, userData), pollInterval: .milliseconds(20))
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        try await admin.wait(for: try await admin.capture(vAppHref: vApp["href"]!, into: catalog, itemName: "leaky", description: ""),
                             pollInterval: .milliseconds(20))
        var findings = (try await sim.audit())["secretsInClear"] as? [String] ?? []
        #expect(findings.contains { $0.contains("vApp template leaky") && $0.contains("guestinfo.userdata holds password hash") }, "\(findings)")

        let item = try await admin.query("adminCatalogItem", filter: "name==leaky", fields: ["entity"])[0]
        let leakyVM = try await admin.get(item["entity"]!).path("Children")!.all("Vm")[0]["href"]!
        let cluster = try await admin.composeAndWait("c9", vdc: "org1-vdc", org: "org1")
        try await admin.wait(for: try await admin.addVMs(to: cluster, [SourcedVM(name: "c9-m1", templateVMHref: leakyVM, network: "intranet",
                                                                                customizationScript: nil)]), pollInterval: .milliseconds(20))
        let clone = try await admin.get(cluster["href"]!).path("Children")!.all("Vm").first { $0["name"] == "c9-m1" }!["href"]!
        #expect(CloudInitUserData.script(fromExtraConfig: try await extraConfig(admin, clone)) == script, "the clone inherits the user data")

        try await admin.wait(for: try await admin.setExtraConfig(vmHref: clone, CloudInitUserData.clearedExtraConfig), pollInterval: .milliseconds(20))
        let cleared = try await extraConfig(admin, clone)
        #expect(cleared[CloudInitUserData.userDataKey] == nil && cleared[CloudInitUserData.encodingKey] == nil, "\(cleared.keys)")
        findings = (try await sim.audit())["secretsInClear"] as? [String] ?? []
        #expect(!findings.contains { $0.contains("c9-m1") }, "\(findings)")
    }

    @Test func guestsPlayTheContractMasterToNode() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let templateVM = try await customizedTemplateVM(admin)
        let vApp = try await admin.composeAndWait("c1", vdc: "org1-vdc", org: "org1")
        let keysDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-sim-keys-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: keysDirectory) }
        let keys = try await InstallationKeys.load(directory: keysDirectory)
        // What a master script carries of the contract: its role and the installation's public key.
        let masterScript = GuestContract.header(role: .master) + "\n\(GuestContract.sealingKeyIDVariable)='\(keys.current.id)'\n" + keys.current.publicKeyPEM
        let master = try await bootVM(admin, vApp: vApp, name: "c1-m1", templateVM: templateVM, script: masterScript)
        let published = try await waitFor(admin, master) { $0[GuestContract.statusKey] == "done" }
        let join = try #require(GuestContract.joinInfo(published, open: { try keys.open($0) }))
        #expect(join.command.hasPrefix("kubeadm join 10.20.0.10:6443 --token "))
        let kubeconfig = try #require(try GuestContract.kubeconfig(published, open: { try keys.open($0) }))
        #expect(kubeconfig.contains("server: https://10.20.0.10:6443"))

        // Another user of the same org reads the master's extra config as vCD shows it: only ciphertext.
        let alicesView = try await extraConfig(sim.alice, master)
        for key in GuestContract.secretKeys {
            let value = try #require(alicesView[key], "alice sees \(key)")
            #expect(SealedSecret.isSealed(value))
            #expect(!value.contains("kubeadm") && !value.contains("client-key-data"))
            #expect(Data(base64Encoded: value) == nil, "not a base64 of the secret")
        }
        #expect(alicesView.values.allSatisfy { !$0.contains(join.command) && !$0.contains(kubeconfig) })
        let audit = try JSONSerialization.jsonObject(with: await sim.server.simulator.auditJSON()) as? [String: Any]
        #expect((audit?["secretsInClear"] as? [String]) == [])

        // A master whose script carries no key publishes nothing, and says why.
        let keyless = try await bootVM(admin, vApp: try await admin.get(vApp["href"]!), name: "c1-m2", templateVM: templateVM,
                                       script: GuestContract.header(role: .master))
        let refused = try await waitFor(admin, keyless) { $0[GuestContract.statusKey] == "failed" }
        #expect(refused[GuestContract.phaseKey] == "publish")
        #expect(refused[GuestContract.kubeconfigKey] == nil && refused[GuestContract.joinCommandKey] == nil)
        let nodeScript = GuestContract.header(role: .node) + "\n\(GuestContract.joinVariable)='\(Data(join.command.utf8).base64EncodedString())'\n"
        let node = try await bootVM(admin, vApp: try await admin.get(vApp["href"]!), name: "c1-n1", templateVM: templateVM, script: nodeScript)
        #expect(try await waitFor(admin, node) { $0[GuestContract.statusKey] != nil && $0[GuestContract.statusKey] != "in_progress" }[GuestContract.statusKey] == "done")
        // A node with a token the master never issued fails in its join phase, with the reason.
        let forged = GuestContract.header(role: .node) + "\n\(GuestContract.joinVariable)='\(Data("kubeadm join 10.20.0.10:6443 --token abc.def".utf8).base64EncodedString())'\n"
        let bad = try await bootVM(admin, vApp: try await admin.get(vApp["href"]!), name: "c1-n2", templateVM: templateVM, script: forged)
        let failed = try await waitFor(admin, bad) { $0[GuestContract.statusKey] == "failed" }
        #expect(failed[GuestContract.phaseKey] == "join")
        #expect(failed[GuestContract.reasonKey]?.contains("token") == true)
    }

    @Test func aMasterOnAnUncustomizedImageFailsAndInjectedFailuresReport() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (_, raw) = try await admin.sourceTemplateVM()
        let vApp = try await admin.composeAndWait("c2", vdc: "org1-vdc", org: "org1")
        let master = try await bootVM(admin, vApp: vApp, name: "c2-m1", templateVM: raw["href"]!, script: GuestContract.header(role: .master))
        let failed = try await waitFor(admin, master) { $0[GuestContract.statusKey] == "failed" }
        #expect(failed[GuestContract.reasonKey]?.contains("not customized") == true)
        try await sim.setFaults(#"{"faults": [{"kind": "guest_failure", "role": "template", "phase": "packages", "reason": "apt-get: mirror unreachable"}]}"#)
        let (template, templateVM) = try await admin.sourceTemplateVM()
        let vdc = try await admin.vdcNamed("cse-vdc", org: "cse")
        let (build, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: template["href"]!, templateVM: templateVM, name: "build2",
                                                        network: admin.networks(of: vdc)[0], ipAllocationMode: "POOL",
                                                        customizationScript: GuestContract.header(role: .template))
        try await admin.wait(for: task!, pollInterval: .milliseconds(20))
        let buildVM = try await admin.get(build["href"]!).path("Children")!.all("Vm")[0]["href"]!
        let report = try await waitFor(admin, buildVM) { $0[GuestContract.statusKey] == "failed" }
        #expect(report[GuestContract.phaseKey] == "packages")
        #expect(report[GuestContract.reasonKey] == "apt-get: mirror unreachable")
    }

    @Test func stateSurvivesARestart() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = try await SimHarness.start { $0.stateFile = file }
        let admin = first.admin()
        let vApp = try await admin.composeAndWait("kept", vdc: "org2-vdc", org: "org2")
        try await admin.wait(for: try await admin.mergeMetadata(vApp["href"]!, [.system("cse.cluster.id", "x1", visibility: .readOnly)]), pollInterval: .milliseconds(20))
        await first.stop()
        let second = try await SimHarness.start { $0.stateFile = file }
        defer { Task { await second.stop() } }
        let records = try await second.admin().query("adminVApp", fields: ["name", "metadata@SYSTEM:cse.cluster.id"])
        #expect(records.map(\.name) == ["kept"])
        #expect(records.first?.metadata["cse.cluster.id"] == "x1")
        // A new vApp after the restart gets a fresh id (the id counter was saved too).
        let another = try await second.admin().composeAndWait("new", vdc: "org2-vdc", org: "org2")
        #expect(another["href"] != vApp["href"]?.replacingOccurrences(of: first.baseURL, with: second.baseURL))
    }
}
