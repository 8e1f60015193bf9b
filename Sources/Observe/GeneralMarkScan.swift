import VCDClient

/// Finds GENERAL-domain entries with cse's keys (tenants' copies and forgeries, leftovers of a cse before SYSTEM marks).
/// They are never believed; each becomes a `tampered` finding. Every key cse writes is looked for on the object types
/// it writes it on, at most four keys per query: a key takes two of the eight metadata parameters vCD allows in one
/// query (vCloud API Programming Guide, "Add a Metadata Filter to a Query"), one in the filter and one in the fields.
struct GeneralMarkScan {
    let session: VCDSession

    static let keysPerQuery = 4

    static let keysByType: [(type: String, keys: [String], place: [String])] = [
        ("adminVApp", [MetadataKey.clusterID, MetadataKey.buildOf, MetadataKey.clusterName, MetadataKey.clusterOrg, MetadataKey.specHash,
                       MetadataKey.generation, MetadataKey.templateItem, MetadataKey.masterIP, MetadataKey.templateName,
                       MetadataKey.templateRevision, MetadataKey.installation], ["name", "org", "vdcName"]),
        ("adminVM", [MetadataKey.clusterID, MetadataKey.nodeRole, MetadataKey.guestReady, MetadataKey.installation],
         ["name", "org", "container", "containerName"]),
        ("adminCatalogItem", [MetadataKey.templateName, MetadataKey.sourceSHA1, MetadataKey.templateRevision, MetadataKey.specHash,
                              MetadataKey.installation],
         ["name", "org", "catalogName"]),
    ]

    func findings() async throws -> [(record: QueryRecord, key: String, value: String)] {
        var found: [(record: QueryRecord, key: String, value: String)] = []
        for (type, allKeys, place) in Self.keysByType {
            for start in stride(from: 0, to: allKeys.count, by: Self.keysPerQuery) {
                let keys = Array(allKeys[start..<min(start + Self.keysPerQuery, allKeys.count)])
                // Only GENERAL fields are asked for, so every metadata value in these records is a GENERAL one.
                let filter = keys.map { Marks.generalField($0) + "==STRING:*" }.joined(separator: ",")
                for record in try await session.query(type, filter: filter, fields: place + keys.map(Marks.generalField)) {
                    for key in keys {
                        if let value = record.metadata[key] { found.append((record, key, value)) }
                    }
                }
            }
        }
        return found
    }
}
