import ArgumentParser
import Foundation
import Observe
import Reconcile
import Spec

/// Plan time and memory for a large cloud: N clusters of one master and `nodes` nodes, from a synthetic
/// snapshot in which every cluster is converged except a few with drift, so the diff walks everything.
struct BenchPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Time the diff (desired x observed -> plan) for many clusters.")

    @Option(help: "Clusters.")
    var clusters = 10_000

    @Option(help: "Worker nodes per cluster.")
    var nodes = 3

    @Option(help: "Timed repetitions.")
    var repetitions = 10

    func run() throws {
        let template = try Self.template()
        let (desired, snapshot) = Self.synthetic(template: template, clusters: clusters, nodes: nodes)
        let afterBuild = PeakMemory.megabytes
        _ = Diff.plan(desired: desired, observed: snapshot)
        var times: [Double] = []
        var plan = Plan()
        for _ in 0..<repetitions {
            let started = ContinuousClock.now
            plan = Diff.plan(desired: desired, observed: snapshot)
            times.append((ContinuousClock.now - started).milliseconds)
        }
        times.sort()
        print("plan for \(clusters) clusters x (1 master + \(nodes) nodes) = \(clusters * (nodes + 1)) VMs, \(repetitions) runs")
        print(String(format: "  time: min %.1f ms, median %.1f ms, max %.1f ms", times[0], times[times.count / 2], times[times.count - 1]))
        print(String(format: "  peak memory: %.0f MB (after building the inputs: %.0f MB)", PeakMemory.megabytes, afterBuild))
        print("  plan: \(plan.count(.create)) to add, \(plan.count(.update)) to change, \(plan.count(.destroy)) to destroy")
    }

    static func template() throws -> DesiredState.Template {
        let text = SampleSpecs.files.first { $0.path.hasPrefix("templates/") }!.text
        let set = try SpecLoader().load(sources: [(file: "template.yaml", text: text)])
        guard case .template(let spec)? = set.objects.first?.object else { throw ValidationError("the sample template did not load") }
        return DesiredState.Template(uid: "t-1", spec: spec, specHash: DesiredObject.template(spec).specHash, generation: 1, isDeleting: false)
    }

    static func synthetic(template: DesiredState.Template, clusters count: Int, nodes: Int) -> (DesiredState, Snapshot) {
        let spec = template.spec
        let item = Naming.templateItem(spec.catalogItem, revision: 1)
        var snapshot = Snapshot(templates: [ObservedTemplate(name: spec.name, revision: 1, specHash: template.specHash, org: spec.build.org,
                                                             catalog: spec.build.catalog, itemName: item, href: "/api/catalogItem/t1",
                                                             vAppTemplateHref: "/api/vAppTemplate/vappTemplate-t1", isReady: true)])
        var desired = DesiredState(templates: [template])
        desired.clusters.reserveCapacity(count)
        snapshot.clusters.reserveCapacity(count)
        for index in 0..<count {
            let org = "org\(index % 50)"
            let cluster = ClusterSpec(name: "c\(index)", org: org, vdc: "\(org)-vdc", template: spec.name, network: "net", nodes: NodePool(count: nodes))
            let hash = DesiredObject.cluster(cluster).specHash
            let uid = "uid-\(index)"
            desired.clusters.append(DesiredState.Cluster(uid: uid, spec: cluster, specHash: hash, generation: 1, isDeleting: false))
            // Every 100th cluster has drifted: its last node is powered off.
            var vms = [ObservedVM(name: Naming.masterVM(cluster: cluster.name), href: "/api/vApp/vm-\(index)-m", powerState: .poweredOn,
                                  ipAddress: "10.0.\(index / 250).\(index % 250)", cpu: spec.master.cpu, memoryMB: spec.master.memoryMB,
                                  guest: .ready, isMarkedReady: true)]
            for node in 1...max(nodes, 1) where nodes > 0 {
                let drifted = index % 100 == 0 && node == nodes
                vms.append(ObservedVM(name: Naming.nodeVM(cluster: cluster.name, ordinal: node), href: "/api/vApp/vm-\(index)-\(node)",
                                      powerState: drifted ? .poweredOff : .poweredOn, cpu: spec.node.cpu, memoryMB: spec.node.memoryMB,
                                      guest: .ready, isMarkedReady: true))
            }
            snapshot.clusters.append(ObservedVApp(name: cluster.name, href: "/api/vApp/vapp-\(index)", org: org, vdc: cluster.vdc, owner: uid,
                                                  specHash: hash, templateItem: item, vms: vms))
        }
        return (desired, snapshot)
    }
}
