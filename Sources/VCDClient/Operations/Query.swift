import Foundation

/// The vCD query service: typed queries with filters, paging and metadata fields.
public struct QueryRecord: Sendable {
    /// The record's element name, e.g. `AdminVAppRecord`.
    public var kind: String
    public var attributes: [String: String]
    /// Values of requested metadata fields, by key. Records name entries by key only (the Domain element is optional
    /// in query results), so a query asks for one domain per key: `metadata:KEY` (GENERAL) or `metadata@SYSTEM:KEY`.
    public var metadata: [String: String]

    public init(kind: String, attributes: [String: String], metadata: [String: String] = [:]) {
        self.kind = kind
        self.attributes = attributes
        self.metadata = metadata
    }

    public subscript(_ attribute: String) -> String? { attributes[attribute] }
    public var href: String? { attributes["href"] }
    public var name: String? { attributes["name"] }
}

extension VCDSession {
    public static let maxPageSize = 128

    /// A value for a query filter: cse sends `filterEncoded=true`, so vCD percent-decodes each value once more after
    /// splitting the filter at `;` and `,`; a name holding those (or `%`, `=`, `(`, `)`) must be encoded.
    public nonisolated static func filterValue(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~*:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// Every record of a typed query, following `nextPage` links (ceil(count / pageSize) calls).
    /// `filter` uses vCD's syntax (`name==x;metadata@SYSTEM:k==STRING:*`); it is URL-encoded here.
    public func query(_ type: String, filter: String? = nil, fields: [String] = [], sortAsc: String? = nil,
                      pageSize: Int = VCDSession.maxPageSize) async throws -> [QueryRecord] {
        var items = [URLQueryItem(name: "type", value: type), URLQueryItem(name: "format", value: "records"),
                     URLQueryItem(name: "page", value: "1"), URLQueryItem(name: "pageSize", value: String(pageSize))]
        if let filter { items.append(URLQueryItem(name: "filter", value: filter)); items.append(URLQueryItem(name: "filterEncoded", value: "true")) }
        if !fields.isEmpty { items.append(URLQueryItem(name: "fields", value: fields.joined(separator: ","))) }
        if let sortAsc { items.append(URLQueryItem(name: "sortAsc", value: sortAsc)) }
        var components = URLComponents()
        components.queryItems = items
        // URLComponents leaves ';', '=', ':' and ',' alone; encode them so filters survive any proxy.
        let query = (components.percentEncodedQuery ?? "")
            .replacingOccurrences(of: ";", with: "%3B").replacingOccurrences(of: "==", with: "%3D%3D")
        var next: String? = "/api/query?" + query
        var records: [QueryRecord] = []
        while let page = next {
            let tree = try await get(page)
            for child in tree.children where child.name != "Link" {
                var metadata: [String: String] = [:]
                for entry in child.first("Metadata")?.all("MetadataEntry") ?? [] {
                    if let key = entry.first("Key")?.text { metadata[key] = entry.path("TypedValue", "Value")?.text ?? "" }
                }
                records.append(QueryRecord(kind: child.name, attributes: child.attributes, metadata: metadata))
            }
            next = tree.link(rel: "nextPage", type: "application/vnd.vmware.vcloud.query.records+xml")?.href
                ?? tree.links.first { $0.rel == "nextPage" }?.href
        }
        return records
    }
}
