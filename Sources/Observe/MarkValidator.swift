/// Checks what cluster vApps' SYSTEM marks claim before anything acts on them: the vApp is where its own mark and
/// its cluster's spec say (org and vdc, as vCD reports them), and no other vApp claims the same cluster id.
/// A vApp that fails is taken out of the snapshot (so it is neither used nor destroyed) and its cluster id is
/// marked conflicted (so nothing is created in its place either); each failure is a finding.
struct MarkValidator {
    /// Desired clusters by uid.
    let expected: [String: ClusterPlacement]

    func validate(_ vApps: [ObservedVApp], claimedOrgs: [String: String]) -> (valid: [ObservedVApp], conflicted: Set<String>, findings: [MarkFinding]) {
        var findings: [MarkFinding] = []
        var conflicted = Set<String>()
        for vApp in vApps {
            var problems: [String] = []
            if let claimed = claimedOrgs[vApp.href], claimed.caseInsensitiveCompare(vApp.org) != .orderedSame {
                problems.append("its mark names org \(claimed) but vCD has it in org \(vApp.org)")
            }
            if let placement = expected[vApp.owner],
               placement.org.caseInsensitiveCompare(vApp.org) != .orderedSame || placement.vdc.caseInsensitiveCompare(vApp.vdc) != .orderedSame {
                problems.append("the cluster's spec places it in \(placement.org)/\(placement.vdc) but vCD has it in \(vApp.org)/\(vApp.vdc)")
            }
            guard !problems.isEmpty else { continue }
            conflicted.insert(vApp.owner)
            findings.append(MarkFinding(kind: .misplaced, href: vApp.href, objectName: vApp.name, org: vApp.org, key: MetadataKey.clusterID,
                                        value: vApp.owner, clusterID: vApp.owner,
                                        message: "vApp \(vApp.org)/\(vApp.vdc)/\(vApp.name) claims cluster \(vApp.owner), but \(problems.joined(separator: "; ")): left alone"))
        }
        for (owner, claimants) in Dictionary(grouping: vApps, by: \.owner) where claimants.count > 1 {
            conflicted.insert(owner)
            let names = claimants.map { "\($0.org)/\($0.vdc)/\($0.name)" }.sorted()
            for vApp in claimants {
                findings.append(MarkFinding(kind: .conflict, href: vApp.href, objectName: vApp.name, org: vApp.org, key: MetadataKey.clusterID,
                                            value: owner, clusterID: owner,
                                            message: "\(claimants.count) vApps claim cluster \(owner) (\(names.joined(separator: ", "))): none is used or destroyed until one is left"))
            }
        }
        return (vApps.filter { !conflicted.contains($0.owner) }, conflicted, findings)
    }
}
