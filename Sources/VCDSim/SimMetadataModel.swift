import Foundation

/// A SYSTEM-domain metadata entry: only a system administrator may write it; PRIVATE ones are hidden from tenants.
struct SimSystemMetadata: Codable, Sendable, Equatable {
    var value: String
    /// READONLY or PRIVATE.
    var visibility: String
}

/// One metadata change a task applies: a domain (GENERAL or SYSTEM), a key, and for a set its value and visibility.
struct SimMetadataChange: Codable, Sendable, Equatable {
    var domain: String
    var key: String
    /// nil removes the entry.
    var value: String?
    var visibility: String

    static let general = "GENERAL"
    static let system = "SYSTEM"
}

extension SimState {
    /// GENERAL-domain entries of an entity (what tenants who may edit it can change).
    func generalMetadata(_ id: String) -> [String: String] { metadata[id] ?? [:] }

    /// SYSTEM-domain entries of an entity.
    func systemMetadata(_ id: String) -> [String: SimSystemMetadata] { systemMetadataByEntity?[id] ?? [:] }

    /// A SYSTEM entry's value as `caller` may see it: PRIVATE entries exist only for system administrators.
    func systemValue(_ id: String, key: String, systemAdministrator: Bool) -> String? {
        guard let entry = systemMetadata(id)[key], systemAdministrator || entry.visibility != "PRIVATE" else { return nil }
        return entry.value
    }

    mutating func apply(_ changes: [SimMetadataChange], to id: String) {
        var general = metadata[id] ?? [:]
        var system = systemMetadata(id)
        for change in changes {
            if change.domain == SimMetadataChange.system {
                system[change.key] = change.value.map { SimSystemMetadata(value: $0, visibility: change.visibility) }
            } else {
                general[change.key] = change.value
            }
        }
        metadata[id] = general.isEmpty ? nil : general
        var all = systemMetadataByEntity ?? [:]
        all[id] = system.isEmpty ? nil : system
        systemMetadataByEntity = all
    }

    /// Both domains go with the entity.
    mutating func removeMetadata(of id: String) {
        metadata[id] = nil
        systemMetadataByEntity?[id] = nil
    }
}
