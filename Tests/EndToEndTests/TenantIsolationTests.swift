import Foundation
import Testing
import Observe
import Reconcile
import Spec
import Store
import VCDClient

/// Names repeat across orgs: every lookup cse makes for a cluster stays in the cluster's own org, and the template
/// a cluster's VMs come from is the template's own (build org and catalog), never a tenant's look-alike.
@Suite struct TenantIsolationTests {
    @Test func aTenantsLookAlikeCatalogItemIsNeverAnotherOrgsImage() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        try cloud.apply(Specs.template())
        let templateHash = try #require(try cloud.store.objects(kind: .template).first).specHash
        // org1 has a catalog item in its own catalog, from another OVA, named like the template's first revision and
        // carrying the marks cse puts on its revisions.
        let forged = try await forgeTemplateItem(cloud, specHash: templateHash)
        try cloud.apply(Specs.template(), Specs.cluster("demo", nodes: 1),
                        Specs.cluster("demo", org: "org2", vdc: "org2-vdc", network: "org2-net", nodes: 1))
        #expect(try await cloud.converge(timeout: .seconds(180)) == .converged)

        // Every cluster VM of both orgs comes from the ubuntu template cse built, none from org1's photon look-alike.
        let vms = try await cloud.admin.query("adminVM", filter: "isVAppTemplate==false", fields: ["name", "guestOs", "containerName", "org"])
        let clusterVMs = vms.filter { $0.name?.hasPrefix("demo-") == true }
        #expect(clusterVMs.count == 4, "\(clusterVMs.map { $0.name ?? "" })")
        #expect(clusterVMs.allSatisfy { $0["guestOs"] == "ubuntu64Guest" }, "\(clusterVMs.map { "\($0.name ?? ""): \($0["guestOs"] ?? "")" })")
        // Each org's status points at its own vApp, and the tenant's item was neither used nor touched.
        let audit = try await cloud.audit()
        let demos = try await cloud.admin.query("adminVApp", filter: "name==demo", fields: ["name", "vdcName"])
        #expect(demos.count == 2)
        for org in ["org1", "org2"] {
            let object = try #require(try cloud.store.object(ObjectKey(kind: .cluster, org: org, name: "demo")))
            let href = try #require(try cloud.store.status(of: object.uid).observed?.vAppHref)
            let record = demos.first { $0.href == href }
            #expect(record?["vdcName"] == "\(org)-vdc", "\(org)'s status names a vApp of \(record?["vdcName"] ?? "no vdc")")
        }
        let item = try await cloud.admin.get(forged)
        #expect(item["name"] == "k8s-u-r1", "org1's own item is still there")
        #expect(audit.problems.isEmpty, "\(audit.problems)")

        // Resizing org1's demo and deleting org2's demo touch only their own vApp.
        let orgHrefs = Dictionary(try await cloud.admin.get("/api/org").all("Org").compactMap { org in org["name"].flatMap { name in org["href"].map { (name, $0) } } },
                                  uniquingKeysWith: { first, _ in first })
        func demoVMs(_ org: String) async throws -> [String] {
            try await cloud.admin.query("adminVM", filter: "isVAppTemplate==false;containerName==demo", fields: ["name", "org", "containerName"])
                .filter { $0["org"] == orgHrefs[org] }.compactMap(\.name).sorted()
        }
        let org2Before = try await demoVMs("org2")
        #expect(org2Before == ["demo-m1", "demo-n1"])
        let org2 = Specs.cluster("demo", org: "org2", vdc: "org2-vdc", network: "org2-net", nodes: 1)
        try cloud.apply(Specs.template(), Specs.cluster("demo", nodes: 2), org2)
        #expect(try await cloud.converge(timeout: .seconds(180)) == .converged)
        #expect(try await demoVMs("org1") == ["demo-m1", "demo-n1", "demo-n2"])
        #expect(try await demoVMs("org2") == org2Before, "org1's resize touched org2's demo")
        try cloud.apply(Specs.template(), Specs.cluster("demo", nodes: 2))
        #expect(try await cloud.converge(timeout: .seconds(180)) == .converged)
        #expect(try await demoVMs("org1") == ["demo-m1", "demo-n1", "demo-n2"], "org2's deletion touched org1's demo")
        #expect(try await demoVMs("org2").isEmpty)
    }

    @Test func theSimulatorsAuditFlagsAVMMadeFromAnotherOrgsUnpublishedItem() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        let forged = try await forgeTemplateItem(cloud, specHash: "any")
        #expect(try await cloud.audit().problems.isEmpty, "org1's own VM from org1's catalog and cse's published catalog are fine")
        let admin = cloud.admin
        let org2 = try await admin.org(named: "org2")
        let vdc = try await admin.vdc(named: "org2-vdc", org: org2)
        let network = try #require(admin.networks(of: vdc).first)
        let (vApp, task) = try await admin.composeVApp(vdc: vdc, name: "borrowed", description: "test", network: network)
        if let task { try await cloud.wait(task) }
        let templateVM = try #require(try await admin.templateOfItem(forged).path("Children")?.all("Vm").first?["href"])
        try await cloud.wait(try await admin.addVMs(to: try await admin.get(try #require(vApp["href"])),
                                                     [SourcedVM(name: "borrowed-1", templateVMHref: templateVM, network: network.name)]))
        let problems = try await cloud.audit().problems
        #expect(problems.contains { $0.contains("VM borrowed-1 of org org2 was made from a template of org org1") }, "\(problems)")
    }

    /// Captures a photon vApp of org1 into org1's catalog as `k8s-u-r1` with cse's revision metadata; returns the item's href.
    private func forgeTemplateItem(_ cloud: Cloud, specHash: String) async throws -> String {
        let admin = cloud.admin
        let cse = try await admin.org(named: "cse")
        let source = try #require(admin.catalogItems(of: try await admin.catalog(named: "cse", org: cse))
            .first { $0.name == "photon-custom-hw11-1.0-62c543d.ova" })
        let photon = try await admin.templateOfItem(source.href)
        let org1 = try await admin.org(named: "org1")
        let vdc = try await admin.vdc(named: "org1-vdc", org: org1)
        let network = try #require(admin.networks(of: vdc).first)
        let (vApp, task) = try await admin.instantiate(vdcHref: vdc["href"]!, templateHref: photon["href"]!,
                                                       templateVM: try #require(photon.path("Children")?.all("Vm").first),
                                                       name: "tenant-image", network: network, ipAllocationMode: "POOL", customizationScript: nil)
        if let task { try await cloud.wait(task) }
        let href = try #require(vApp["href"])
        try await cloud.wait(try await admin.undeploy(href))
        let catalog = try await admin.catalog(named: "org1-catalog", org: org1)
        try await cloud.wait(try await admin.capture(vAppHref: href, into: catalog, itemName: "k8s-u-r1", description: "a tenant's image"))
        let item = try #require(admin.catalogItems(of: try await admin.catalog(named: "org1-catalog", org: org1)).first { $0.name == "k8s-u-r1" })
        // Even as SYSTEM-domain marks (which a tenant cannot write, but an administrator's mistake could): the item is not in
        // the template's build org and catalog, so it is never the template.
        try await cloud.wait(try await admin.writeMarks(item.href, [
            (MetadataKey.templateName, "ubuntu-24.04"), (MetadataKey.templateRevision, "1"), (MetadataKey.specHash, specHash),
        ]))
        return item.href
    }
}
