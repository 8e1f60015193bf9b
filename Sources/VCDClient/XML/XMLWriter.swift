/// Builds XML request bodies with every text and attribute escaped.
enum XMLWriter {
    static let vcloud = "http://www.vmware.com/vcloud/v1.5"
    static let ovf = "http://schemas.dmtf.org/ovf/envelope/1"
    static let rasd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    static let vmw = "http://www.vmware.com/schema/ovf"
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    static let vmext = "http://www.vmware.com/vcloud/extension/v1.5"

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `<name a="v">children</name>`, attributes escaped; `children` must already be XML.
    static func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], _ children: String = "") -> String {
        var text = "<\(name)"
        for (key, value) in attributes {
            if let value { text += " \(key)=\"\(escape(value))\"" }
        }
        return children.isEmpty ? text + "/>" : text + ">" + children + "</\(name)>"
    }

    /// `<name>escaped text</name>`.
    static func text(_ name: String, _ value: String) -> String { "<\(name)>\(escape(value))</\(name)>" }
}
