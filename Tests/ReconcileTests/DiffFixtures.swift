import Foundation
import Observe
@testable import Reconcile
import Spec

/// Builders for desired and observed state in diff tests.
enum D {
    static let hash = "h-current"

    static func templateSpec(capture: Bool = true, cleanup: Bool = true) -> TemplateSpec {
        TemplateSpec(
            name: "ubuntu", labels: ["ubuntu", "16.04"], os: OperatingSystem(family: .ubuntu, version: "16.04"),
            source: OVASource(url: "https://example.com/u.ova", sha1: String(repeating: "a", count: 40), catalogItem: "u.ova"),
            build: BuildSite(org: "cse", vdc: "cse-vdc", network: "cse-net", ipAllocationMode: .pool, catalog: "cse",
                             tempVApp: "csetmp-u", cleanup: cleanup, capture: capture, storageProfile: nil),
            catalogItem: "k8s-u", diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
            master: VMResources(cpu: 2, memoryMB: 2048), node: VMResources(cpu: 2, memoryMB: 2048), adminSSHKey: nil,
            rootPassword: .environment("PW"))
    }

    static func template(generation: Int = 1, hash: String = hash, deleting: Bool = false, capture: Bool = true, cleanup: Bool = true) -> DesiredState.Template {
        DesiredState.Template(uid: "t-uid", spec: templateSpec(capture: capture, cleanup: cleanup), specHash: hash, generation: generation, isDeleting: deleting)
    }

    static func cluster(_ name: String = "c1", nodes: Int = 2, cpu: Int? = nil, deleting: Bool = false) -> DesiredState.Cluster {
        DesiredState.Cluster(uid: "uid-\(name)", spec: ClusterSpec(name: name, org: "org1", vdc: "vdc1", template: "ubuntu", network: "intranet",
                                                                   nodes: NodePool(count: nodes, cpu: cpu)),
                             specHash: "c-hash", generation: 1, isDeleting: deleting)
    }

    static func readyTemplate(revision: Int = 1, hash: String = hash, ready: Bool = true, org: String = "cse",
                              catalog: String = "cse") -> ObservedTemplate {
        ObservedTemplate(name: "ubuntu", revision: revision, specHash: hash, org: org, catalog: catalog,
                         itemName: "k8s-u-r\(revision)", href: "https://vcd/api/catalogItem/\(org)-r\(revision)",
                         vAppTemplateHref: "https://vcd/api/vAppTemplate/vappTemplate-\(org)-r\(revision)", isReady: ready)
    }

    static let sourceImage = ObservedSourceImage(org: "cse", catalog: "cse", itemName: "u.ova", sha1: String(repeating: "a", count: 40),
                                                 href: "https://vcd/api/catalogItem/ova", isReady: true)

    static func vm(_ name: String, power: ObservedVM.PowerState = .poweredOn, guest: GuestProgress = .ready, cpu: Int? = 2, busy: Bool = false) -> ObservedVM {
        ObservedVM(name: name, href: "https://vcd/api/vApp/vm-\(name)", powerState: power, ipAddress: "10.0.0.\(name.count)",
                   cpu: cpu, memoryMB: 2048, guest: guest, isBusy: busy)
    }

    static func clusterVApp(_ name: String = "c1", uid: String? = nil, vms: [ObservedVM], busy: Bool = false, item: String = "k8s-u-r1") -> ObservedVApp {
        ObservedVApp(name: name, href: "https://vcd/api/vApp/vapp-\(name)", org: "org1", vdc: "vdc1", owner: uid ?? "uid-\(name)",
                     specHash: "c-hash", templateItem: item, network: "intranet", isBusy: busy, vms: vms)
    }

    static func buildVApp(hash: String = hash, vm: ObservedVM, busy: Bool = false) -> ObservedVApp {
        ObservedVApp(name: "csetmp-u", href: "https://vcd/api/vApp/vapp-build-\(hash)", org: "cse", vdc: "cse-vdc", owner: "ubuntu",
                     specHash: hash, templateItem: "k8s-u-r1", isBusy: busy, vms: [vm])
    }

    /// A converged cluster c1 with master and `nodes` workers, and the template it uses.
    static func healthy(nodes: Int = 2) -> [ObservedVM] {
        [vm("c1-m1")] + (0..<nodes).map { vm("c1-n\($0 + 1)") }
    }

    static func plan(_ desired: DesiredState, _ observed: Snapshot) -> Plan {
        Diff.plan(desired: desired, observed: observed)
    }
}

extension Plan {
    /// "+ VM c1-n1 [waits]" lines: what the tests compare.
    var lines: [String] {
        actions.map { "\($0.change.symbol) \($0.target)\($0.isRunnable ? "" : " [waits: \($0.waitsFor.joined(separator: "; "))]")" }
    }
}
