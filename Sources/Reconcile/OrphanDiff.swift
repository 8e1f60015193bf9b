import Observe
import Spec

/// What carries this installation's identity but no desired object claims: cluster vApps whose cluster id the
/// store does not hold, build vApps and template revisions of templates no spec names. Reported as unclaimed,
/// never deleted: a deletion needs a decision in the store (a tombstone), and a missing row is not one
/// (a wrong `--store`, a wiped `.cse/`). `cse adopt` takes such clusters back.
struct OrphanDiff {
    let desired: DesiredState
    let observed: Snapshot
    let usedItems: Set<String>

    func add(to plan: inout Plan) {
        let clusterIDs = Set(desired.clusters.map(\.uid))
        let templateNames = Set(desired.templates.map(\.spec.name))
        let reason = "carries this installation's identity, but the store holds no object for it"
        for vApp in observed.clusters where !clusterIDs.contains(vApp.owner) {
            plan.unowned.append(UnownedObject(kind: .clusterVApp, name: vApp.name, org: vApp.org, place: vApp.vdc, href: vApp.href,
                                              owner: vApp.owner, claim: .unclaimed(reason: reason)))
        }
        for vApp in observed.buildVApps where !templateNames.contains(vApp.owner) {
            plan.unowned.append(UnownedObject(kind: .buildVApp, name: vApp.name, org: vApp.org, place: vApp.vdc, href: vApp.href,
                                              owner: vApp.owner, claim: .unclaimed(reason: reason)))
        }
        for item in observed.templates where !templateNames.contains(item.name) {
            let use = usedItems.contains(item.itemName) ? " (used by a cluster)" : ""
            plan.unowned.append(UnownedObject(kind: .catalogItem, name: item.itemName, org: item.org, place: item.catalog, href: item.href,
                                              owner: item.name, claim: .unclaimed(reason: reason + use)))
        }
    }
}
