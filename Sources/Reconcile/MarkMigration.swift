import Foundation
import Logging
import Observe
import Spec
import VCDClient

/// Moves marks an earlier cse wrote in the GENERAL domain into the SYSTEM domain, once, on objects that are
/// verifiably cse's: a GENERAL entry is copied only when everything else about the object says what it claims
/// (a desired object names it, and vCD has it under the name, org, vdc or catalog and description cse gives it).
/// The SYSTEM entry is written first and the GENERAL one deleted after, so a crash in between is finished by the
/// next pass; a GENERAL entry whose SYSTEM twin holds another value is a tenant's and stays (reported, not believed).
/// `cse.guest.ready` is not carried over: cse reads the guest again and marks it itself.
struct MarkMigration {
    let session: VCDSession
    let desired: DesiredState
    let pollInterval: Duration
    let logger: Logger

    /// Returns how many objects were migrated; each one is logged.
    func run(_ snapshot: Snapshot) async throws -> Int {
        var migrated = 0
        for finding in snapshot.markFindings where finding.kind == .tampered {
            if try await migrate(finding, snapshot: snapshot) {
                migrated += 1
                logger.notice("moved cse's marks on \(finding.org)/\(finding.objectName) from the GENERAL to the SYSTEM domain")
            }
        }
        return migrated
    }

    private func migrate(_ finding: MarkFinding, snapshot: Snapshot) async throws -> Bool {
        switch finding.key {
        case MetadataKey.clusterID where finding.href.contains("/vApp/vapp-"):
            guard let cluster = desired.clusters.first(where: { $0.uid == finding.value }), !cluster.isDeleting,
                  cluster.spec.name == finding.objectName, same(cluster.spec.org, finding.org),
                  snapshot.clusters.allSatisfy({ $0.owner != cluster.uid || $0.href == finding.href }),
                  try await isVApp(finding.href, org: cluster.spec.org, vdc: cluster.spec.vdc, description: "cse cluster \(cluster.uid)")
            else { return false }
            // VMs first: the vApp's own GENERAL cluster id, removed last, is what brings the next pass back after a crash.
            for vm in try await session.get(finding.href).path("Children")?.all("Vm") ?? [] {
                guard let href = vm["href"], let parsed = Naming.parseVM(vm["name"] ?? "", cluster: cluster.spec.name) else { continue }
                try await move(href) { key, value in
                    switch key {
                    case MetadataKey.clusterID: return value == cluster.uid
                    case MetadataKey.nodeRole: return value == parsed.role.rawValue
                    case MetadataKey.installation: return value == desired.installationID
                    default: return false
                    }
                }
            }
            try await move(finding.href) { key, value in key != MetadataKey.guestReady && isOurs(key, value) }
            return true
        case MetadataKey.buildOf:
            guard let template = desired.templates.first(where: { $0.spec.name == finding.value }), !template.isDeleting,
                  template.spec.build.tempVApp == finding.objectName, same(template.spec.build.org, finding.org),
                  try await isVApp(finding.href, org: template.spec.build.org, vdc: template.spec.build.vdc, description: nil)
            else { return false }
            try await move(finding.href) { key, value in isOurs(key, value) }
            return true
        case MetadataKey.templateName:
            guard let template = desired.templates.first(where: { $0.spec.name == finding.value }), same(template.spec.build.org, finding.org),
                  try await isCatalogItem(finding.href, org: template.spec.build.org, catalog: template.spec.build.catalog)
            else { return false }
            let general = try await session.metadata(of: finding.href).filter { $0.domain == .general }
            guard let revision = general.first(where: { $0.key == MetadataKey.templateRevision }).flatMap({ Int($0.value) }),
                  finding.objectName == Naming.templateItem(template.spec.catalogItem, revision: revision) else { return false }
            try await move(finding.href) { key, value in isOurs(key, value) }
            return true
        case MetadataKey.sourceSHA1:
            guard let template = desired.templates.first(where: {
                      $0.spec.source.catalogItem == finding.objectName && same($0.spec.build.org, finding.org)
                          && $0.spec.source.sha1?.lowercased() == finding.value.lowercased()
                  }),
                  try await isCatalogItem(finding.href, org: template.spec.build.org, catalog: template.spec.build.catalog)
            else { return false }
            try await move(finding.href) { key, _ in key == MetadataKey.sourceSHA1 }
            return true
        default:
            return false
        }
    }

    /// Copies the entity's GENERAL cse entries that `keep` accepts into the SYSTEM domain (unless a SYSTEM entry holds
    /// another value), then deletes every GENERAL cse entry that is now carried, or deliberately dropped, by cse.
    private func move(_ href: String, keep: (String, String) -> Bool) async throws {
        let entries = try await session.metadata(of: href).filter { Marks.isMark($0.key) }
        let system = Dictionary(entries.filter { $0.domain == .system }.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let general = entries.filter { $0.domain == .general }
        let toCopy = general.filter { keep($0.key, $0.value) && system[$0.key] == nil }
        if !toCopy.isEmpty { try await wait(session.writeMarks(href, toCopy.map { ($0.key, $0.value) })) }
        for entry in general where system[entry.key] == entry.value || toCopy.contains(entry) || entry.key == MetadataKey.guestReady {
            try await wait(session.deleteMetadata(href, key: entry.key, domain: .general))
        }
    }

    private func isVApp(_ href: String, org: String, vdc: String, description: String?) async throws -> Bool {
        let vApp = try await session.get(href)
        if let description, vApp.first("Description")?.text != description { return false }
        let vdcHref = try await session.vdc(named: vdc, org: try await session.org(named: org))["href"]
        return vdcHref != nil && vApp.links.contains { $0.rel == "up" && $0.href == vdcHref }
    }

    private func isCatalogItem(_ href: String, org: String, catalog: String) async throws -> Bool {
        let catalogHref = try await session.catalog(named: catalog, org: try await session.org(named: org))["href"]
        guard let catalogHref else { return false }
        return try await session.get(href).links.contains { $0.rel == "up" && $0.href == catalogHref }
    }

    /// A GENERAL installation identity is moved only when it is this installation's (never taken over from a copy).
    private func isOurs(_ key: String, _ value: String) -> Bool { key != MetadataKey.installation || value == desired.installationID }

    private func same(_ a: String, _ b: String) -> Bool { a.caseInsensitiveCompare(b) == .orderedSame }

    private func wait(_ task: VCDTask) async throws {
        _ = try await session.wait(for: task, timeout: .seconds(300), pollInterval: pollInterval)
    }
}
