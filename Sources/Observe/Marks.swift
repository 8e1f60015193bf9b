import VCDClient

/// Metadata keys cse writes on what it creates; their presence in the SYSTEM domain is what makes an object cse's.
public enum MetadataKey {
    /// On every vApp, VM and catalog item cse creates: the identity of the installation (store) that made it.
    /// cse destroys only objects that carry its own identity and whose deletion its own store decided.
    public static let installation = "cse.installation.id"
    /// On cluster vApps: the desired object's uid (the cluster id tenants see).
    public static let clusterID = "cse.cluster.id"
    public static let clusterName = "cse.cluster.name"
    public static let clusterOrg = "cse.cluster.org"
    public static let specHash = "cse.spec.hash"
    public static let generation = "cse.generation"
    public static let templateItem = "cse.template.item"
    public static let masterIP = "cse.master.ip"
    /// On template catalog items and build vApps.
    public static let templateName = "cse.template.name"
    public static let templateRevision = "cse.template.revision"
    /// On build vApps only.
    public static let buildOf = "cse.build.template"
    /// On VMs: master or node.
    public static let nodeRole = "cse.node.type"
    /// On VMs: "true" once cse has seen the guest's bootstrap done (spares later observations a VM read).
    public static let guestReady = "cse.guest.ready"
    /// On uploaded source OVAs: the sha1 cse verified before uploading.
    public static let sourceSHA1 = "cse.source.sha1"
}

/// cse's marks: every key it writes, and who may see it. All live in vCD's SYSTEM domain, which only a system
/// administrator can write, so a tenant who may edit a vApp can neither change, remove nor copy them; a tenant's
/// GENERAL-domain entry with a cse key is never believed (the observer reports it as tampering).
public enum Marks {
    /// Keys that start with this are cse's, in whatever domain they are found.
    public static let prefix = "cse."

    /// Tenants see what names their clusters (READONLY); cse's bookkeeping is hidden from them (PRIVATE).
    public static let visibility: [String: MetadataVisibility] = [
        MetadataKey.clusterID: .readOnly,
        MetadataKey.clusterName: .readOnly,
        MetadataKey.clusterOrg: .readOnly,
        MetadataKey.nodeRole: .readOnly,
        MetadataKey.templateName: .readOnly,
        MetadataKey.templateRevision: .readOnly,
        MetadataKey.specHash: .private,
        MetadataKey.generation: .private,
        MetadataKey.templateItem: .private,
        MetadataKey.masterIP: .private,
        MetadataKey.buildOf: .private,
        MetadataKey.guestReady: .private,
        MetadataKey.sourceSHA1: .private,
        MetadataKey.installation: .private,
    ]

    public static func isMark(_ key: String) -> Bool { key.hasPrefix(prefix) }

    /// The SYSTEM-domain entry for a mark; a cse key missing from the table is written PRIVATE (never visible by mistake).
    public static func entry(_ key: String, _ value: String) -> VCDMetadataEntry {
        .system(key, value, visibility: visibility[key] ?? .private)
    }

    /// `metadata@SYSTEM:KEY`: the query service's name of a SYSTEM-domain field (vCloud API Programming Guide,
    /// "Add a Metadata Filter to a Query"; go-vcloud-director's queryWithMetadataFields). `metadata:KEY` names
    /// the GENERAL domain only.
    public static func field(_ key: String) -> String { "metadata@SYSTEM:" + key }

    /// The GENERAL-domain field of a key: only read to find tenants' copies of cse's marks.
    public static func generalField(_ key: String) -> String { "metadata:" + key }

    /// A filter term matching objects that carry the mark (any string value) in the SYSTEM domain.
    public static func present(_ key: String) -> String { field(key) + "==STRING:*" }
}

extension VCDSession {
    /// Writes cse's marks on an entity in the SYSTEM domain, each with its visibility from `Marks`, one task for all.
    public func writeMarks(_ entityHref: String, _ marks: [(key: String, value: String)]) async throws -> VCDTask {
        try await mergeMetadata(entityHref, marks.map { Marks.entry($0.key, $0.value) })
    }
}
