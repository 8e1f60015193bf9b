import Foundation
import Spec
import Store

enum StoreFixtures {
    /// A store in a fresh SQLite file under the temporary directory (a real file, WAL and all).
    static func store() throws -> (DesiredStateStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try DesiredStateStore(path: directory.appendingPathComponent("store.sqlite").path)
        return (store, directory)
    }

    static func cluster(_ name: String = "c1", org: String = "org1", nodes: Int = 2) -> DesiredObject {
        .cluster(ClusterSpec(name: name, org: org, vdc: "org1-vdc", template: "ubuntu-16.04", network: "intranet", nodes: NodePool(count: nodes)))
    }

    static func template(_ name: String = "ubuntu-16.04", network: String = "cse-net") -> DesiredObject {
        .template(TemplateSpec(
            name: name, labels: ["ubuntu", "16.04"], os: OperatingSystem(family: .ubuntu, version: "16.04"),
            source: OVASource(url: "https://example.com/u.ova", sha1: String(repeating: "a", count: 40), catalogItem: "u.ova"),
            build: BuildSite(org: "cse", vdc: "cse-vdc", network: network, ipAllocationMode: .pool, catalog: "cse",
                             tempVApp: "csetmp-u", cleanup: true, capture: true, storageProfile: nil),
            catalogItem: name, diskSizeMB: 0, versions: SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5"),
            master: .defaultMaster, node: .defaultNode, adminSSHKey: nil, rootPassword: .environment("PW")))
    }

    static func specSet(_ objects: [DesiredObject]) -> SpecSet {
        SpecSet(objects: objects.map { LoadedObject(object: $0, location: SourceLocation(file: "t.yaml", line: 1, column: 1)) }, files: ["t.yaml"])
    }
}
