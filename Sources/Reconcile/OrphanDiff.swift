import Observe
import Spec

/// What cse made in vCD that no desired object claims: cluster vApps whose cluster id is unknown,
/// build vApps and template revisions of templates no spec names. Objects without cse's metadata never get here.
struct OrphanDiff {
    let desired: DesiredState
    let observed: Snapshot
    let usedItems: Set<String>

    func add(to plan: inout Plan) {
        let clusterIDs = Set(desired.clusters.map(\.uid))
        let templateNames = Set(desired.templates.map(\.spec.name))
        // Filtered before sorting: orphans are few, cluster vApps may be many.
        for vApp in observed.clusters.filter({ !clusterIDs.contains($0.owner) }).sorted(by: { $0.name < $1.name }) {
            plan.actions.append(PlannedAction(
                step: .deleteVApp(href: vApp.href), object: ObjectKey(kind: .cluster, org: vApp.org, name: vApp.name), change: .destroy,
                target: "vApp \(vApp.name)", reason: "no cluster spec claims it (cluster id \(vApp.owner))",
                waitsFor: vApp.isBusy ? ["vApp \(vApp.name) task finished"] : [], lane: Lane.vApp(href: vApp.href)))
        }
        for vApp in observed.buildVApps.sorted(by: { $0.name < $1.name }) where !templateNames.contains(vApp.owner) {
            plan.actions.append(PlannedAction(
                step: .deleteVApp(href: vApp.href), object: ObjectKey(kind: .template, org: "", name: vApp.owner), change: .destroy,
                target: "vApp \(vApp.name)", reason: "build vApp of a template no spec names",
                waitsFor: [], lane: Lane.vApp(href: vApp.href)))
        }
        for item in observed.templates.sorted(by: { $0.itemName < $1.itemName })
        where !templateNames.contains(item.name) && !usedItems.contains(item.itemName) {
            plan.actions.append(PlannedAction(
                step: .deleteTemplateItem(org: item.org, catalog: item.catalog, item: item.itemName, href: item.href),
                object: ObjectKey(kind: .template, org: "", name: item.name), change: .destroy,
                target: "catalog item \(item.itemName)", reason: "template no spec names, used by no cluster",
                waitsFor: [], lane: Lane.catalogItem(org: item.org, catalog: item.catalog, item: item.itemName)))
        }
    }
}
