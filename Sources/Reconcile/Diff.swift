import Observe
import Spec

/// Desired state x observed snapshot -> plan. A pure function: no I/O, the same inputs give the same plan.
/// Actions come in a stable order: templates, then clusters, then orphans, each by name, and within an
/// object in the order they would run.
public enum Diff {
    public static func plan(desired: DesiredState, observed everything: Snapshot) -> Plan {
        var plan = Plan()
        // Only what carries this installation's identity is planned for; the rest is reported (Ownership).
        var observed = everything
        if let installationID = desired.installationID {
            (observed, plan.unowned) = Ownership(installationID: installationID).partition(everything)
        }
        plan.assessments.reserveCapacity(desired.templates.count + desired.clusters.count)
        // Items used by any cluster, ours or not, are never deleted.
        let usedItems = Set(everything.clusters.map(\.templateItem))
        for template in desired.templates.sorted(by: { $0.spec.name < $1.spec.name }) {
            TemplateDiff(template: template, observed: observed, usedItems: usedItems).add(to: &plan)
        }
        // Indexed once (a lookup per cluster over all vApps made the diff quadratic), and sorted by index with the
        // keys made once, so that ten thousand clusters are not copied around by the sort.
        let vApps = ClusterVApps(observed)
        let keys = desired.clusters.map(\.key)
        for index in keys.indices.sorted(by: { keys[$0] < keys[$1] }) {
            let cluster = desired.clusters[index]
            ClusterDiff(cluster: cluster, desired: desired, observed: observed, vApp: vApps.vApp(of: cluster), key: keys[index]).add(to: &plan)
        }
        OrphanDiff(desired: desired, observed: observed, usedItems: usedItems).add(to: &plan)
        plan.unowned.sort { ($0.kind.rawValue, $0.org, $0.name) < ($1.kind.rawValue, $1.org, $1.name) }
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
