/// JSON text for the small, flat objects every tenant request answers with (string and integer members), written
/// directly: `JSONSerialization` bridges each value through Foundation's object graph, which costs more than the
/// rest of a reply. Members come out sorted by name, as `JSON.encode` writes them.
struct JSONText {
    enum Value {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        /// Already JSON text (an object written by this type).
        case raw(String)
    }

    static func object(_ members: [(name: String, value: Value)]) -> String {
        var text = "{"
        for (index, member) in members.sorted(by: { $0.name < $1.name }).enumerated() {
            if index > 0 { text += "," }
            appendString(member.name, to: &text)
            text += ":"
            switch member.value {
            case .string(let value): appendString(value, to: &text)
            case .integer(let value): text += String(value)
            case .boolean(let value): text += value ? "true" : "false"
            case .raw(let json): text += json
            }
        }
        return text + "}"
    }

    /// A JSON string literal (RFC 8259 section 7: quote, backslash and control characters escaped).
    static func appendString(_ value: String, to text: inout String) {
        // Most strings (ids, names, base64) need no escape: one scan of their UTF-8 bytes, then a plain append.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += "\""
            text += value
            text += "\""
            return
        }
        text += "\""
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String? = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: scalar.value < 0x20 ? "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) : nil
            }
            if let escape {
                text.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                text += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        text.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        text += "\""
    }
}
