import Foundation

/// vCD query filters (FIQL): `,` is OR, `;` is AND and binds tighter, parentheses group;
/// conditions `field==value`, `!=`, `=gt=`, `=lt=`, `=ge=`, `=le=`; `*` is a wildcard; metadata as
/// `metadata:KEY==STRING:value` (GENERAL domain) or `metadata@SYSTEM:KEY==STRING:value` (SYSTEM domain); a filter on
/// one domain never matches the other's entries (vCloud API Programming Guide, "Add a Metadata Filter to a Query").
indirect enum QueryFilter: Sendable {
    case any([QueryFilter])
    case all([QueryFilter])
    case condition(field: String, op: String, value: String)

    /// `encoded`: the request said `filterEncoded=true`, so each value is itself percent-encoded (after the URL's own
    /// decoding) and is decoded once more, after the filter is split: a value may then hold `,`, `;` or `=`
    /// (vCD's query service; pyvcloud's equality filters quote their values this way).
    static func parse(_ text: String, encoded: Bool = false) throws -> QueryFilter {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SimFault.badRequest("empty query filter") }
        let alternatives = try split(trimmed, on: ",")
        if alternatives.count > 1 { return .any(try alternatives.map { try parse($0, encoded: encoded) }) }
        let terms = try split(trimmed, on: ";")
        if terms.count > 1 { return .all(try terms.map { try parse($0, encoded: encoded) }) }
        if trimmed.hasPrefix("(") && trimmed.hasSuffix(")") { return try parse(String(trimmed.dropFirst().dropLast()), encoded: encoded) }
        for op in ["==", "!=", "=gt=", "=lt=", "=ge=", "=le="] {
            if let range = trimmed.range(of: op) {
                let field = String(trimmed[..<range.lowerBound])
                var value = String(trimmed[range.upperBound...])
                guard !field.isEmpty else { throw SimFault.badRequest("query filter '\(text)' has no field name") }
                try Simulator.checkMetadataField(field)
                if field.hasPrefix("metadata"), let colon = value.firstIndex(of: ":"),
                   ["STRING", "NUMBER", "BOOLEAN", "DATETIME"].contains(String(value[..<colon])) {
                    value = String(value[value.index(after: colon)...])
                }
                if encoded {
                    guard let decoded = value.removingPercentEncoding else {
                        throw SimFault.badRequest("query filter '\(text)': the value is not percent-encoded although filterEncoded=true")
                    }
                    value = decoded
                }
                return .condition(field: field, op: op, value: value)
            }
        }
        throw SimFault.badRequest("query filter '\(text)' is not of the form field==value")
    }

    /// Splits at top-level separators (not inside parentheses).
    private static func split(_ text: String, on separator: Character) throws -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                guard depth >= 0 else { throw SimFault.badRequest("unbalanced parentheses in query filter") }
            }
            if character == separator && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard depth == 0 else { throw SimFault.badRequest("unbalanced parentheses in query filter") }
        parts.append(current)
        return parts
    }

    /// `value(field)` gives a record's attribute or, for `metadata:KEY`, its metadata value.
    func matches(_ value: (String) -> String?) -> Bool {
        switch self {
        case .any(let filters): return filters.contains { $0.matches(value) }
        case .all(let filters): return filters.allSatisfy { $0.matches(value) }
        case .condition(let field, let op, let wanted):
            let actual = value(field)
            switch op {
            case "==":
                guard let actual else { return false }
                return Self.glob(wanted, matches: actual)
            case "!=":
                guard let actual else { return true }
                return !Self.glob(wanted, matches: actual)
            default:
                guard let actual else { return false }
                let order: ComparisonResult
                if let left = Double(actual), let right = Double(wanted) {
                    order = left < right ? .orderedAscending : (left > right ? .orderedDescending : .orderedSame)
                } else {
                    order = actual.compare(wanted)
                }
                switch op {
                case "=gt=": return order == .orderedDescending
                case "=lt=": return order == .orderedAscending
                case "=ge=": return order != .orderedAscending
                default: return order != .orderedDescending
                }
            }
        }
    }

    /// Case-insensitive match with `*` wildcards, as vCD's query service does for strings.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let pattern = pattern.lowercased()
        let text = text.lowercased()
        guard pattern.contains("*") else { return pattern == text }
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        for (index, piece) in pieces.enumerated() {
            if piece.isEmpty { continue }
            if index == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if index == pieces.count - 1 {
                return rest.hasSuffix(piece)
            } else {
                guard let range = rest.range(of: piece) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return true
    }
}
