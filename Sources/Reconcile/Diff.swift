import Observe
import Spec

/// Desired state x observed snapshot -> plan. A pure function: no I/O, the same inputs give the same plan.
/// Actions come in a stable order: templates, then clusters, then orphans, each by name, and within an
/// object in the order they would run.
public enum Diff {
    public static func plan(desired: DesiredState, observed: Snapshot) -> Plan {
        var plan = Plan()
        let usedItems = Set(observed.clusters.map(\.templateItem))
        for template in desired.templates.sorted(by: { $0.spec.name < $1.spec.name }) {
            TemplateDiff(template: template, observed: observed, usedItems: usedItems).add(to: &plan)
        }
        // Indexed once: a lookup per cluster over all vApps made the diff quadratic in the number of clusters.
        let vAppsByOwner = Dictionary(observed.clusters.map { ($0.owner, $0) }, uniquingKeysWith: { first, _ in first })
        for cluster in desired.clusters.sorted(by: { $0.key < $1.key }) {
            ClusterDiff(cluster: cluster, desired: desired, observed: observed, vApp: vAppsByOwner[cluster.uid]).add(to: &plan)
        }
        OrphanDiff(desired: desired, observed: observed, usedItems: usedItems).add(to: &plan)
        return plan
    }
}

/// Lanes: one change at a time per vApp (vCD answers BUSY_ENTITY otherwise) or per catalog item.
enum Lane {
    static func vApp(href: String) -> String { "vapp:\(href)" }
    static func newVApp(org: String, vdc: String, name: String) -> String { "vapp:\(org)/\(vdc)/\(name)" }
    static func catalogItem(org: String, catalog: String, item: String) -> String { "item:\(org)/\(catalog)/\(item)" }
    static func store(uid: String) -> String { "store:\(uid)" }
}
