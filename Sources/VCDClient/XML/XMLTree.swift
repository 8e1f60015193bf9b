import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element, looked at by local name so that vCD's namespace prefixes (which vary between
/// versions and between vCD and other servers) never matter.
public struct XMLTree: Sendable {
    public let name: String
    public let namespace: String?
    public let attributes: [String: String]
    public let text: String
    public let children: [XMLTree]

    public init(name: String, namespace: String? = nil, attributes: [String: String] = [:], text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    public static func parse(_ data: Data) throws -> XMLTree {
        let document = try XMLDocument(data: data, options: [])
        guard let root = document.rootElement() else { throw XMLTreeError.empty }
        return XMLTree(element: root)
    }

    private init(element: XMLElement) {
        name = element.localName ?? element.name ?? ""
        namespace = element.uri
        var attributes: [String: String] = [:]
        for attribute in element.attributes ?? [] {
            // Attributes keyed by local name; a namespaced one (vmw:key, vcloud:ipAddress) also under "prefix:local".
            if let local = attribute.localName { attributes[local] = attribute.stringValue ?? "" }
            if let full = attribute.name { attributes[full] = attribute.stringValue ?? "" }
        }
        self.attributes = attributes
        children = (element.children ?? []).compactMap { $0 as? XMLElement }.map(XMLTree.init(element:))
        text = children.isEmpty ? (element.stringValue ?? "") : ""
    }

    public subscript(attribute: String) -> String? { attributes[attribute] }

    public func first(_ localName: String) -> XMLTree? { children.first { $0.name == localName } }

    public func all(_ localName: String) -> [XMLTree] { children.filter { $0.name == localName } }

    /// The first element at a path of local names, e.g. `path("VmSpecSection", "NumCpus")`.
    public func path(_ names: String...) -> XMLTree? {
        var current: XMLTree? = self
        for name in names { current = current?.first(name) }
        return current
    }

    /// Every descendant (depth first) with this local name.
    public func descendants(_ localName: String) -> [XMLTree] {
        children.flatMap { ($0.name == localName ? [$0] : []) + $0.descendants(localName) }
    }

    /// `Link` children, as vCD lists the related resources and actions of an entity.
    public var links: [Link] {
        all("Link").map { Link(rel: $0["rel"] ?? "", href: $0["href"] ?? "", type: $0["type"], name: $0["name"]) }
    }

    /// The single link with this rel and type (type nil = a link without type), as pyvcloud's find_link does.
    public func link(rel: String, type: String? = nil) -> Link? {
        let matches = links.filter { $0.rel == rel && $0.type == type }
        return matches.count == 1 ? matches[0] : nil
    }

    public struct Link: Hashable, Sendable {
        public var rel: String
        public var href: String
        public var type: String?
        public var name: String?
    }
}

public enum XMLTreeError: Error { case empty }
