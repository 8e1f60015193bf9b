import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A request body parsed for the simulator's reading: elements and attributes by local name, so any
/// namespace prefix a client chooses works, as it does with vCD.
struct SimXML: Sendable {
    let name: String
    /// The element's namespace URI ("" when it has none).
    let namespace: String
    let attributes: [String: String]
    let text: String
    let children: [SimXML]

    static func parse(_ data: Data) throws -> SimXML {
        do {
            let document = try XMLDocument(data: data, options: [])
            guard let root = document.rootElement() else { throw SimFault.badRequest("the request body is not an XML document") }
            return SimXML(root)
        } catch let fault as SimFault {
            throw fault
        } catch {
            throw SimFault.badRequest("the request body is not well-formed XML")
        }
    }

    private init(_ element: XMLElement) {
        name = element.localName ?? element.name ?? ""
        namespace = element.uri ?? ""
        var attributes: [String: String] = [:]
        for attribute in element.attributes ?? [] {
            if let local = attribute.localName { attributes[local] = attribute.stringValue ?? "" }
        }
        self.attributes = attributes
        children = (element.children ?? []).compactMap { $0 as? XMLElement }.map(SimXML.init)
        text = children.isEmpty ? (element.stringValue ?? "") : ""
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
