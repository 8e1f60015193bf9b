import VCDClient

/// Finds tenants' GENERAL-domain entries with cse's keys (copies, forgeries, leftovers of cse before it wrote
/// SYSTEM marks). They are never believed; each becomes a `tampered` finding. One query per object type, filtered
/// on the keys that claim identity or state (a GENERAL copy of any other cse key decides nothing either).
struct GeneralMarkScan {
    let session: VCDSession

    static let keysByType: [(type: String, keys: [String], place: [String])] = [
        ("adminVApp", [MetadataKey.clusterID, MetadataKey.buildOf], ["name", "org", "vdcName"]),
        ("adminVM", [MetadataKey.clusterID, MetadataKey.nodeRole, MetadataKey.guestReady], ["name", "org", "container", "containerName"]),
        ("adminCatalogItem", [MetadataKey.templateName, MetadataKey.sourceSHA1], ["name", "org", "catalogName"]),
    ]

    func findings() async throws -> [(record: QueryRecord, key: String, value: String)] {
        var found: [(record: QueryRecord, key: String, value: String)] = []
        for (type, keys, place) in Self.keysByType {
            // Only GENERAL fields are asked for, so every metadata value in these records is a GENERAL one.
            let filter = keys.map { Marks.generalField($0) + "==STRING:*" }.joined(separator: ",")
            let records = try await session.query(type, filter: filter, fields: place + keys.map(Marks.generalField))
            for record in records {
                for key in keys {
                    if let value = record.metadata[key] { found.append((record, key, value)) }
                }
            }
        }
        return found
    }
}
