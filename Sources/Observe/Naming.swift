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
