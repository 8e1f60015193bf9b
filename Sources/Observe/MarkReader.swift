import VCDClient

/// Reads cse's marks off query records, and turns the GENERAL-domain copies the scan found into tampering findings,
/// each attributed to the cluster or template it concerns.
enum MarkReader {
    /// A mark's value by the href of the record carrying it.
    static func values(_ records: [QueryRecord], key: String) -> [String: String] {
        Dictionary(records.compactMap { record in record.href.flatMap { href in record.metadata[key].map { (href, $0) } } },
                   uniquingKeysWith: { first, _ in first })
    }

    /// `clusters`, `builds`, `items`: the SYSTEM-marked cluster vApps, build vApps and template items of this observation.
    static func tampering(_ copies: [(record: QueryRecord, key: String, value: String)], clusters: [QueryRecord], builds: [QueryRecord],
                          items: [QueryRecord], orgNames: [String: String]) -> [MarkFinding] {
        let ownerByVApp = values(clusters, key: MetadataKey.clusterID)
        let templateByHref = values(builds, key: MetadataKey.buildOf).merging(values(items, key: MetadataKey.templateName)) { first, _ in first }
        return copies.map { copy in
            let record = copy.record
            let isVM = record.kind.contains("VM")
            let org = Observer.orgName(record["org"], orgNames)
            // What it concerns: the cluster or template it claims, else the one its object's (or its VM's vApp's) SYSTEM marks name.
            let owner = (isVM ? record["container"] : record.href).flatMap { ownerByVApp[$0] }
            let claimed = copy.key == MetadataKey.clusterID ? copy.value : nil
            let templateName = [MetadataKey.templateName, MetadataKey.buildOf].contains(copy.key) ? copy.value : record.href.flatMap { templateByHref[$0] }
            let kind = isVM ? "VM" : (record.kind.contains("CatalogItem") ? "catalog item" : "vApp")
            return MarkFinding(kind: .tampered, href: record.href ?? "", objectName: record.name ?? "", org: org, key: copy.key, value: copy.value,
                               clusterID: owner ?? claimed, claimedClusterID: owner == nil || claimed == owner ? nil : claimed,
                               templateName: templateName,
                               message: "\(kind) \(org)/\(record.name ?? "?") carries \(copy.key)=\(copy.value) in the GENERAL domain, which tenants can write: ignored")
        }
    }
}
