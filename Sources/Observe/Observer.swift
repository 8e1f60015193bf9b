import Foundation
import Logging
import VCDClient

/// Reads cse's objects from vCD into a snapshot. It only reads: an observation never changes vCD.
///
/// Cost: one paged list query per kind (cluster vApps, build vApps, VMs, template items, running tasks),
/// so about ceil(N/128) calls per kind for N objects, plus one GET per VM whose guest has not yet been seen
/// ready (cse marks ready VMs with metadata, so a converged cloud needs no per-VM reads) and per source OVA.
public struct Observer: Sendable {
    public let session: VCDSession
    public let guestReader: @Sendable ([String: String]) -> GuestProgress
    let logger: Logger

    public init(session: VCDSession, guestReader: @escaping @Sendable ([String: String]) -> GuestProgress = GuestKeys.progress,
                logger: Logger = Logger(label: "cse.observe")) {
        self.session = session
        self.guestReader = guestReader
        self.logger = logger
    }

    /// `sourceImages`: the (org, catalog, item) of each source OVA the desired templates name.
    public func observe(sourceImages: [SourceImageRef] = []) async throws -> Snapshot {
        async let clusterRecords = session.query("adminVApp", filter: "metadata:\(MetadataKey.clusterID)==STRING:*", fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            "metadata:\(MetadataKey.clusterID)", "metadata:\(MetadataKey.clusterOrg)", "metadata:\(MetadataKey.specHash)",
            "metadata:\(MetadataKey.templateItem)", "metadata:\(MetadataKey.installation)",
        ])
        async let buildRecords = session.query("adminVApp", filter: "metadata:\(MetadataKey.buildOf)==STRING:*", fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            "metadata:\(MetadataKey.buildOf)", "metadata:\(MetadataKey.specHash)", "metadata:\(MetadataKey.templateItem)",
            "metadata:\(MetadataKey.installation)",
        ])
        async let vmRecords = session.query("adminVM", filter: "metadata:\(MetadataKey.nodeRole)==STRING:*", fields: [
            "name", "container", "containerName", "status", "numberOfCpus", "memoryMB", "ipAddress",
            "metadata:\(MetadataKey.nodeRole)", "metadata:\(MetadataKey.guestReady)",
        ])
        async let templateRecords = session.query("adminCatalogItem", filter: "metadata:\(MetadataKey.templateName)==STRING:*", fields: [
            "name", "catalogName", "org", "entity", "status",
            "metadata:\(MetadataKey.templateName)", "metadata:\(MetadataKey.templateRevision)", "metadata:\(MetadataKey.specHash)",
            "metadata:\(MetadataKey.installation)",
        ])
        async let taskRecords = session.query("adminTask", filter: "status==running,status==queued,status==preRunning",
                                              fields: ["object", "status"])
        // Query records name orgs by href; one read of the org list turns them into names.
        let orgNames = Dictionary(try await session.get("/api/org").all("Org").compactMap { org in org["href"].map { ($0, org["name"] ?? "") } },
                                  uniquingKeysWith: { first, _ in first })
        let busy = Set(try await taskRecords.compactMap { $0["object"] })
        let vms = try await vmRecords
        var snapshot = Snapshot()
        snapshot.clusters = try await vApps(try await clusterRecords, ownerKey: MetadataKey.clusterID, vms: vms, busy: busy, orgNames: orgNames)
        snapshot.buildVApps = try await vApps(try await buildRecords, ownerKey: MetadataKey.buildOf, vms: vms, busy: busy, orgNames: orgNames)
        snapshot.templates = try await templateRecords.compactMap { Self.template($0, orgNames: orgNames) }
        snapshot.sourceImages = try await images(sourceImages)
        snapshot.takenAt = Date()
        return snapshot
    }

    private func vApps(_ records: [QueryRecord], ownerKey: String, vms: [QueryRecord], busy: Set<String>,
                       orgNames: [String: String]) async throws -> [ObservedVApp] {
        let vmsByVApp = Dictionary(grouping: vms) { $0["container"] ?? "" }
        var result: [ObservedVApp] = []
        for record in records {
            guard let href = record.href, let owner = record.metadata[ownerKey] else { continue }
            var members = vmsByVApp[href] ?? []
            var vmDocuments: [String: XMLTree] = [:]
            // VMs that carry no role metadata yet (a crash between recompose and tagging) are found by reading the vApp.
            if let count = record["numberOfVMs"].flatMap(Int.init), count != members.count {
                // Deleted between the list and this read: it is gone, as the next observation will show.
                guard let document = try await readIfPresent(href) else { continue }
                for vm in document.path("Children")?.all("Vm") ?? [] {
                    guard let vmHref = vm["href"] else { continue }
                    vmDocuments[vmHref] = vm
                    if !members.contains(where: { $0.href == vmHref }) {
                        members.append(QueryRecord(kind: "AdminVMRecord", attributes: ["href": vmHref, "name": vm["name"] ?? "",
                                                                                       "status": VMDocument.statusName(vm["status"])],
                                                   metadata: [:]))
                    }
                }
            }
            var observedVMs: [ObservedVM] = []
            for member in members {
                if let observed = try await vm(member, document: member.href.flatMap { vmDocuments[$0] }, busy: busy) { observedVMs.append(observed) }
            }
            result.append(ObservedVApp(
                name: record.name ?? "", href: href, org: record.metadata[MetadataKey.clusterOrg] ?? Self.orgName(record["org"], orgNames),
                vdc: record["vdcName"] ?? "", owner: owner, specHash: record.metadata[MetadataKey.specHash] ?? "",
                templateItem: record.metadata[MetadataKey.templateItem] ?? "", network: nil,
                isBusy: busy.contains(href), vms: observedVMs.sorted { $0.name < $1.name },
                installation: record.metadata[MetadataKey.installation]))
        }
        return result.sorted { ($0.org, $0.name) < ($1.org, $1.name) }
    }

    private func readIfPresent(_ href: String) async throws -> XMLTree? {
        do {
            return try await session.get(href)
        } catch let error as VCDError where error.isNotFound {
            return nil
        }
    }

    /// nil when the VM was deleted while the observation ran.
    private func vm(_ record: QueryRecord, document: XMLTree?, busy: Set<String>) async throws -> ObservedVM? {
        let href = record.href ?? ""
        let guest: GuestProgress
        var cpu = record["numberOfCpus"].flatMap(Int.init) ?? 0
        var memory = record["memoryMB"].flatMap(Int.init) ?? 0
        var ip = record["ipAddress"]
        if record.metadata[MetadataKey.guestReady] == "true" {
            guest = .ready
        } else {
            // The guest's reports live in the VM's extra config, which only a VM read shows.
            let vm: XMLTree
            if let document {
                vm = document
            } else {
                guard let read = try await readIfPresent(href) else { return nil }
                vm = read
            }
            let parsed = VMDocument(vm)
            guest = guestReader(parsed.extraConfig)
            cpu = parsed.cpu ?? cpu
            memory = parsed.memoryMB ?? memory
            ip = ip ?? parsed.ipAddress
        }
        return ObservedVM(name: record.name ?? "", href: href, powerState: VMDocument.powerState(record["status"]),
                          ipAddress: ip?.isEmpty == false ? ip : nil, cpu: cpu, memoryMB: memory, guest: guest,
                          isBusy: busy.contains(href), isTagged: record.metadata[MetadataKey.nodeRole] != nil,
                          isMarkedReady: record.metadata[MetadataKey.guestReady] == "true")
    }

    private func images(_ refs: [SourceImageRef]) async throws -> [ObservedSourceImage] {
        var result: [ObservedSourceImage] = []
        for ref in Set(refs).sorted(by: { ($0.org, $0.catalog, $0.item) < ($1.org, $1.catalog, $1.item) }) {
            let records = try await session.query("adminCatalogItem", filter: "name==\(ref.item)",
                                                  fields: ["name", "catalogName", "org", "entity", "status", "metadata:\(MetadataKey.sourceSHA1)"])
            for record in records where record["catalogName"] == ref.catalog {
                result.append(ObservedSourceImage(org: ref.org, catalog: ref.catalog, itemName: ref.item,
                                                  sha1: record.metadata[MetadataKey.sourceSHA1], href: record.href ?? "",
                                                  isReady: Self.isResolved(record["status"])))
            }
        }
        return result
    }

    static func template(_ record: QueryRecord, orgNames: [String: String] = [:]) -> ObservedTemplate? {
        guard let name = record.metadata[MetadataKey.templateName], let href = record.href else { return nil }
        return ObservedTemplate(name: name, revision: record.metadata[MetadataKey.templateRevision].flatMap(Int.init) ?? 0,
                                specHash: record.metadata[MetadataKey.specHash] ?? "", org: orgName(record["org"], orgNames),
                                catalog: record["catalogName"] ?? "", itemName: record.name ?? "", href: href,
                                isReady: isResolved(record["status"]), installation: record.metadata[MetadataKey.installation])
    }

    static func isResolved(_ status: String?) -> Bool { status == nil || status == "RESOLVED" }

    /// Admin records name the org by href: its name from the org list, else the href's last part.
    static func orgName(_ value: String?, _ names: [String: String]) -> String {
        guard let value else { return "" }
        return names[value] ?? lastComponent(value)
    }

    static func lastComponent(_ value: String?) -> String {
        guard let value else { return "" }
        return value.split(separator: "/").last.map(String.init) ?? value
    }
}

/// A source OVA to look for.
public struct SourceImageRef: Hashable, Sendable {
    public var org: String
    public var catalog: String
    public var item: String

    public init(org: String, catalog: String, item: String) {
        self.org = org
        self.catalog = catalog
        self.item = item
    }
}
