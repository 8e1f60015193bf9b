import Foundation
import Observe
import Spec
import Store

/// Something in vCD with cse's metadata that this installation may not touch: shown by `plan`, `get` and
/// `describe`, never changed. `cse adopt` takes unclaimed (and, named explicitly, foreign) clusters into the store.
public struct UnownedObject: Hashable, Sendable {
    public enum Claim: Hashable, Sendable {
        /// Another installation's identity is on it.
        case foreign(installation: String)
        /// No identity, or this installation's identity without an object in the store.
        case unclaimed(reason: String)
    }

    public enum Kind: String, Hashable, Sendable { case clusterVApp = "cluster vApp", buildVApp = "build vApp", catalogItem = "catalog item" }

    public var kind: Kind
    public var name: String
    public var org: String
    /// The vdc (vApps) or catalog (items) it is in.
    public var place: String
    public var href: String
    /// The cluster id (cluster vApps) or template name (builds, items) its metadata names.
    public var owner: String
    public var claim: Claim

    public var summary: String {
        switch claim {
        case .foreign(let installation): return "foreign: installation \(installation)"
        case .unclaimed(let reason): return "unclaimed: \(reason)"
        }
    }
}

/// Splits a snapshot into what this installation owns (its identity is on it) and everything else.
/// Only the owned part reaches the diff, so nothing else can be planned for change or deletion.
struct Ownership {
    let installationID: String

    func partition(_ snapshot: Snapshot) -> (owned: Snapshot, unowned: [UnownedObject]) {
        var owned = snapshot
        var unowned: [UnownedObject] = []
        owned.clusters = snapshot.clusters.filter { vApp in
            guard let claim = claim(vApp.installation) else { return true }
            unowned.append(UnownedObject(kind: .clusterVApp, name: vApp.name, org: vApp.org, place: vApp.vdc, href: vApp.href,
                                         owner: vApp.owner, claim: claim))
            return false
        }
        owned.buildVApps = snapshot.buildVApps.filter { vApp in
            guard let claim = claim(vApp.installation) else { return true }
            unowned.append(UnownedObject(kind: .buildVApp, name: vApp.name, org: vApp.org, place: vApp.vdc, href: vApp.href,
                                         owner: vApp.owner, claim: claim))
            return false
        }
        owned.templates = snapshot.templates.filter { item in
            guard let claim = claim(item.installation) else { return true }
            unowned.append(UnownedObject(kind: .catalogItem, name: item.itemName, org: item.org, place: item.catalog, href: item.href,
                                         owner: item.name, claim: claim))
            return false
        }
        return (owned, unowned)
    }

    /// nil = ours.
    private func claim(_ installation: String?) -> UnownedObject.Claim? {
        guard let installation else { return .unclaimed(reason: "it carries no installation identity") }
        return installation == installationID ? nil : .foreign(installation: installation)
    }
}

extension UnownedObject {
    /// As the store keeps it for `cse get` and `cse describe`.
    public func entry(seenAt: Date) -> UnownedEntry {
        switch claim {
        case .foreign(let installation):
            return UnownedEntry(kind: kind.rawValue, org: org, place: place, name: name, owner: owner, installation: installation,
                                reason: "another installation's identity", seenAt: seenAt)
        case .unclaimed(let reason):
            return UnownedEntry(kind: kind.rawValue, org: org, place: place, name: name, owner: owner, installation: nil, reason: reason, seenAt: seenAt)
        }
    }
}
