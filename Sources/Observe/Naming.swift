/// The names cse gives what it creates in vCD. They are deterministic, so that after a crash the next
/// observation finds what was done by name instead of creating it again.
public enum Naming {
    public enum Role: String, Hashable, Sendable { case master, node }

    /// The master VM of a cluster: `<cluster>-m1`.
    public static func masterVM(cluster: String) -> String { "\(cluster)-m1" }

    /// Worker `ordinal` (1-based) of a cluster: `<cluster>-n<ordinal>`. Ordinals grow with creation,
    /// so the highest ordinal is the newest node.
    public static func nodeVM(cluster: String, ordinal: Int) -> String { "\(cluster)-n\(ordinal)" }

    /// Role and ordinal of a VM named by cse in `cluster`, nil for any other name.
    public static func parseVM(_ name: String, cluster: String) -> (role: Role, ordinal: Int)? {
        // On UTF-8 bytes without building strings: the diff parses every VM name of every cluster on each pass.
        let bytes = name.utf8, prefix = cluster.utf8
        guard bytes.count > prefix.count + 2, bytes.starts(with: prefix) else { return nil }
        var rest = bytes.dropFirst(prefix.count)
        guard rest.first == UInt8(ascii: "-") else { return nil }
        rest = rest.dropFirst()
        guard let letter = rest.first else { return nil }
        let digits = rest.dropFirst()
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 9 else { return nil }
        var ordinal = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            ordinal = ordinal * 10 + Int(digit - UInt8(ascii: "0"))
        }
        switch letter {
        case UInt8(ascii: "m") where ordinal == 1: return (.master, 1)
        case UInt8(ascii: "n"): return (.node, ordinal)
        default: return nil
        }
    }

    /// Catalog item of revision `revision` of a template.
    public static func templateItem(_ catalogItem: String, revision: Int) -> String { "\(catalogItem)-r\(revision)" }
}

/// Metadata keys cse writes on what it creates; their presence is what makes an object cse's.
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
