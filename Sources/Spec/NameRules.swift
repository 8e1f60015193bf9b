/// Naming rules that vCD and guest host names impose.
public enum NameRules {
    /// Longest ssh public key accepted (spec files and tenant requests).
    public static let maxSSHKeyBytes = 8192

    /// A cluster name becomes the vApp name and the prefix of its VMs' host names: CSE limited it to 21 characters
    /// (25 minus a 4-character node suffix), each dot-separated label a valid host-name label.
    public static func clusterNameProblem(_ name: String) -> String? {
        hostNameProblem(name, maxLength: ClusterSpec.maxNameLength)
    }

    /// Template names are catalog item names; cse also uses them in VM names, so they follow host-name labels too.
    public static func templateNameProblem(_ name: String) -> String? {
        hostNameProblem(name, maxLength: 63)
    }

    static func hostNameProblem(_ name: String, maxLength: Int) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > maxLength { return "is \(name.count) characters long, at most \(maxLength) allowed" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "has an empty label between dots" }
            if label.count > 63 { return "has a label longer than 63 characters" }
            if label.first == "-" || label.last == "-" { return "has a label that starts or ends with '-'" }
            if let bad = label.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
                return "contains '\(bad)'; only letters, digits, '-' and '.' are allowed"
            }
        }
        return nil
    }

    /// Names of vCD entities (org, vdc, network, catalog, storage profile): non-empty, at most 128 characters,
    /// no control characters.
    public static func entityNameProblem(_ name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "is empty" }
        if name.count > 128 { return "is \(name.count) characters long, at most 128 allowed" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a control character"
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> Substring {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return slice
    }
}

extension Set where Element == Character {
    fileprivate static let whitespaces: Set<Character> = [" ", "\t"]
}
