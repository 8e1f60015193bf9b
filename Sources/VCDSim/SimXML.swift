import CLibXML2
import Foundation

/// A request body parsed for the simulator's reading: elements and attributes by local name, so any
/// namespace prefix a client chooses works, as it does with vCD.
struct SimXML: Sendable {
    let name: String
    /// The element's namespace URI ("" when it has none).
    let namespace: String
    let attributes: [String: String]
    let text: String
    let children: [SimXML]

    /// Parsed with libxml2 (no network, no entity expansion), the document freed before returning.
    static func parse(_ data: Data) throws -> SimXML {
        let document = data.isEmpty || data.count > Int(Int32.max) ? nil : data.withUnsafeBytes { raw in
            raw.baseAddress.flatMap { cse_xml_read_memory($0.assumingMemoryBound(to: CChar.self), Int32(raw.count)) }
        }
        guard let document else { throw SimFault.badRequest("the request body is not well-formed XML") }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw SimFault.badRequest("the request body is not an XML document") }
        return SimXML(root)
    }

    private init(_ node: xmlNodePtr) {
        name = String(cString: node.pointee.name)
        namespace = node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } } ?? ""
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            attributes[String(cString: current.pointee.name)] = Self.text(of: current.pointee.children)
            attribute = current.pointee.next
        }
        self.attributes = attributes
        var children: [SimXML] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { children.append(SimXML(current)) }
            child = current.pointee.next
        }
        self.children = children
        text = children.isEmpty ? Self.text(of: node.pointee.children) : ""
    }

    /// The text and CDATA of a node list, as XPath's string value of a leaf.
    private static func text(of first: xmlNodePtr?) -> String {
        var text = ""
        var node = first
        while let current = node {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE, let content = current.pointee.content {
                text += String(cString: content)
            }
            node = current.pointee.next
        }
        return text
    }

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    func first(_ name: String) -> SimXML? { children.first { $0.name == name } }
    func all(_ name: String) -> [SimXML] { children.filter { $0.name == name } }
    func path(_ names: String...) -> SimXML? {
        var node: SimXML? = self
        for name in names { node = node?.first(name) }
        return node
    }
    func descendants(_ name: String) -> [SimXML] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }
}

extension SimXML {
    static let vcloudNamespace = "http://www.vmware.com/vcloud/v1.5"
}

/// Writes XML text with escaping.
enum XMLOut {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    static func attributes(_ attributes: KeyValuePairs<String, String?>) -> String {
        attributes.compactMap { key, value in value.map { " \(key)=\"\(escape($0))\"" } }.joined()
    }

    static func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], _ content: String? = nil) -> String {
        guard let content else { return "<\(name)\(self.attributes(attributes))/>" }
        return "<\(name)\(self.attributes(attributes))>\(content)</\(name)>"
    }

    static func text(_ name: String, _ value: String) -> String { "<\(name)>\(escape(value))</\(name)>" }

    static func link(rel: String, href: String, type: String? = nil, name: String? = nil) -> String {
        element("Link", ["rel": rel, "href": href, "type": type, "name": name])
    }

    static let namespaces = " xmlns=\"http://www.vmware.com/vcloud/v1.5\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\""
        + " xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\""
        + " xmlns:vmw=\"http://www.vmware.com/schema/ovf\" xmlns:vmext=\"http://www.vmware.com/vcloud/extension/v1.5\""
        + " xmlns:ovfenv=\"http://schemas.dmtf.org/ovf/environment/1\" xmlns:ve=\"http://www.vmware.com/schema/ovfenv\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
}
