import Foundation

/// vCD's metadata access domains (vCloud API `MetadataDomainTagType`, common.xsd). An entry without a Domain
/// element is GENERAL. Only a system administrator may create, change or delete SYSTEM entries; tenants'
/// access to them follows the entry's visibility (vCloud API Programming Guide, "Access Control for vCloud
/// API Object Metadata").
public enum MetadataDomain: String, Hashable, Sendable, Codable {
    case general = "GENERAL"
    case system = "SYSTEM"
}

/// Who may see a metadata entry. vCD accepts only SYSTEM with PRIVATE or READONLY and GENERAL with READWRITE;
/// other pairs are refused (pyvcloud's `MetadataDomain` notes; go-vcloud-director's metadata tests expect an
/// error for SYSTEM + READWRITE).
public enum MetadataVisibility: String, Hashable, Sendable, Codable {
    /// Tenants cannot see the entry (SYSTEM only).
    case `private` = "PRIVATE"
    /// Tenants see the entry but cannot change it (SYSTEM only).
    case readOnly = "READONLY"
    /// The GENERAL domain's only visibility: whoever may edit the object may change the entry.
    case readWrite = "READWRITE"

    /// Whether vCD accepts this visibility in `domain`.
    public func isAllowed(in domain: MetadataDomain) -> Bool {
        switch domain {
        case .system: return self != .readWrite
        case .general: return self == .readWrite
        }
    }
}

/// One string metadata entry with its domain and visibility (`MetadataEntryType` with a `MetadataStringValue`).
public struct VCDMetadataEntry: Hashable, Sendable {
    public var key: String
    public var value: String
    public var domain: MetadataDomain
    public var visibility: MetadataVisibility

    public init(key: String, value: String, domain: MetadataDomain, visibility: MetadataVisibility) {
        self.key = key
        self.value = value
        self.domain = domain
        self.visibility = visibility
    }

    /// A GENERAL-domain entry (READWRITE: whoever may edit the object may change it).
    public static func general(_ key: String, _ value: String) -> VCDMetadataEntry {
        VCDMetadataEntry(key: key, value: value, domain: .general, visibility: .readWrite)
    }

    /// A SYSTEM-domain entry (only a system administrator may write it; tenants cannot change it).
    public static func system(_ key: String, _ value: String, visibility: MetadataVisibility) -> VCDMetadataEntry {
        VCDMetadataEntry(key: key, value: value, domain: .system, visibility: visibility)
    }
}

public struct MetadataRequestError: Error, CustomStringConvertible {
    public var description: String
}

extension VCDSession {
    /// Adds or replaces entries (`POST <entity>/metadata` with a `Metadata` document: vCD merges by key within
    /// each entry's domain), one task for all. The body follows `MetadataType`/`MetadataEntryType` of common.xsd:
    /// Domain, Key, TypedValue in that order.
    public func mergeMetadata(_ entityHref: String, _ entries: [VCDMetadataEntry]) async throws -> VCDTask {
        for entry in entries where !entry.visibility.isAllowed(in: entry.domain) {
            throw MetadataRequestError(description: "metadata \(entry.key): visibility \(entry.visibility.rawValue) is not allowed in domain \(entry.domain.rawValue)")
        }
        return try VCDTask(try await send("POST", entityHref + "/metadata", xml: Self.metadataDocument(entries), contentType: MediaType.metadata))
    }

    /// Sets one entry: `PUT <entity>/metadata/SYSTEM/<key>` (or `/metadata/<key>` for GENERAL) with a
    /// `MetadataValue`, as go-vcloud-director's addMetadata does.
    public func setMetadataValue(_ entityHref: String, _ entry: VCDMetadataEntry) async throws -> VCDTask {
        guard entry.visibility.isAllowed(in: entry.domain) else {
            throw MetadataRequestError(description: "metadata \(entry.key): visibility \(entry.visibility.rawValue) is not allowed in domain \(entry.domain.rawValue)")
        }
        return try VCDTask(try await send("PUT", Self.entryPath(entityHref, key: entry.key, domain: entry.domain),
                                          xml: Self.metadataValueDocument(entry), contentType: MediaType.metadataValue))
    }

    /// Removes one entry: `DELETE <entity>/metadata/SYSTEM/<key>` (or `/metadata/<key>`).
    public func deleteMetadata(_ entityHref: String, key: String, domain: MetadataDomain) async throws -> VCDTask {
        try VCDTask(try XMLTree.parse(try await send("DELETE", Self.entryPath(entityHref, key: key, domain: domain)).body))
    }

    /// Every entry the caller may see on an entity (`GET <entity>/metadata`).
    public func metadata(of entityHref: String) async throws -> [VCDMetadataEntry] {
        try await get(entityHref + "/metadata").all("MetadataEntry").compactMap(Self.entry)
    }

    /// A `MetadataEntry` element: no Domain element means GENERAL (common.xsd).
    static func entry(_ element: XMLTree) -> VCDMetadataEntry? {
        guard let key = element.first("Key")?.text else { return nil }
        let domainTag = element.first("Domain")
        let domain = domainTag.flatMap { MetadataDomain(rawValue: $0.text.trimmingCharacters(in: .whitespaces)) } ?? .general
        let visibility = domainTag?["visibility"].flatMap(MetadataVisibility.init(rawValue:)) ?? (domain == .system ? .readOnly : .readWrite)
        return VCDMetadataEntry(key: key, value: element.path("TypedValue", "Value")?.text ?? "", domain: domain, visibility: visibility)
    }

    static func entryPath(_ entityHref: String, key: String, domain: MetadataDomain) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        let escaped = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
        return entityHref + "/metadata/" + (domain == .system ? "SYSTEM/" : "") + escaped
    }

    /// A `Metadata` document (common.xsd `MetadataType`).
    static func metadataDocument(_ entries: [VCDMetadataEntry]) -> String {
        XMLWriter.element("Metadata", ["xmlns": XMLWriter.vcloud, "xmlns:xsi": XMLWriter.xsi, "type": MediaType.metadata],
                          entries.map(entryXML).joined())
    }

    /// A `MetadataValue` document (common.xsd `MetadataValueType`): Domain, then TypedValue.
    static func metadataValueDocument(_ entry: VCDMetadataEntry) -> String {
        XMLWriter.element("MetadataValue", ["xmlns": XMLWriter.vcloud, "xmlns:xsi": XMLWriter.xsi],
                          XMLWriter.element("Domain", ["visibility": entry.visibility.rawValue], entry.domain.rawValue) + typedValueXML(entry.value))
    }

    private static func entryXML(_ entry: VCDMetadataEntry) -> String {
        XMLWriter.element("MetadataEntry", [:],
                          XMLWriter.element("Domain", ["visibility": entry.visibility.rawValue], entry.domain.rawValue)
                          + XMLWriter.text("Key", entry.key) + typedValueXML(entry.value))
    }

    private static func typedValueXML(_ value: String) -> String {
        XMLWriter.element("TypedValue", ["xsi:type": "MetadataStringValue"], XMLWriter.text("Value", value))
    }
}
