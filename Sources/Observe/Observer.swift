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

    /// `sourceImages`: the (org, catalog, item) of each source OVA the desired templates name; `placements`: where each
    /// desired cluster (by uid) must be, so that a vApp whose marks claim it elsewhere is not believed.
    ///
    /// Only SYSTEM-domain marks (`metadata@SYSTEM:`) are read for decisions: tenants cannot write them. GENERAL-domain
    /// entries with cse's keys are looked for only to report them (`Snapshot.markFindings`).
    public func observe(sourceImages: [SourceImageRef] = [], placements: [String: ClusterPlacement] = [:]) async throws -> Snapshot {
        async let clusterRecords = session.query("adminVApp", filter: Marks.present(MetadataKey.clusterID), fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            Marks.field(MetadataKey.clusterID), Marks.field(MetadataKey.clusterOrg), Marks.field(MetadataKey.specHash),
            Marks.field(MetadataKey.templateItem),
        ])
        async let buildRecords = session.query("adminVApp", filter: Marks.present(MetadataKey.buildOf), fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            Marks.field(MetadataKey.buildOf), Marks.field(MetadataKey.specHash), Marks.field(MetadataKey.templateItem),
        ])
        // AdminVMRecord has no ipAddress (queryRecordView.xsd): a VM's address comes from its document.
        async let vmRecords = session.query("adminVM", filter: Marks.present(MetadataKey.nodeRole), fields: [
            "name", "container", "containerName", "status", "numberOfCpus", "memoryMB",
            Marks.field(MetadataKey.nodeRole), Marks.field(MetadataKey.guestReady),
        ])
        async let templateRecords = session.query("adminCatalogItem", filter: Marks.present(MetadataKey.templateName), fields: [
            "name", "catalogName", "org", "entity", "status",
            Marks.field(MetadataKey.templateName), Marks.field(MetadataKey.templateRevision), Marks.field(MetadataKey.specHash),
        ])
        async let taskRecords = session.query("adminTask", filter: "status==running,status==queued,status==preRunning",
                                              fields: ["object", "status"])
        async let generalCopies = GeneralMarkScan(session: session).findings()
        // Query records name orgs by href; one read of the org list turns them into names.
        let orgNames = Dictionary(try await session.get("/api/org").all("Org").compactMap { org in org["href"].map { ($0, org["name"] ?? "") } },
                                  uniquingKeysWith: { first, _ in first })
        let busy = Set(try await taskRecords.compactMap { $0["object"] })
        let vms = try await vmRecords
        var snapshot = Snapshot()
        let clusters = try await clusterRecords
        let claimedOrgs = Dictionary(clusters.compactMap { record in record.href.flatMap { href in record.metadata[MetadataKey.clusterOrg].map { (href, $0) } } },
                                     uniquingKeysWith: { first, _ in first })
        let validation = MarkValidator(expected: placements)
            .validate(try await vApps(clusters, ownerKey: MetadataKey.clusterID, vms: vms, busy: busy, orgNames: orgNames), claimedOrgs: claimedOrgs)
        snapshot.clusters = validation.valid
        snapshot.conflictedClusterIDs = validation.conflicted
        let builds = try await buildRecords
        snapshot.buildVApps = try await vApps(builds, ownerKey: MetadataKey.buildOf, vms: vms, busy: busy, orgNames: orgNames)
        let items = try await templateRecords
        snapshot.templates = items.compactMap { Self.template($0, orgNames: orgNames) }
        snapshot.sourceImages = try await images(sourceImages, orgNames: orgNames)
        let ownerByVApp = Dictionary(clusters.compactMap { record in record.href.flatMap { href in record.metadata[MetadataKey.clusterID].map { (href, $0) } } },
                                     uniquingKeysWith: { first, _ in first })
        let templateByHref = Dictionary(
            (builds.map { ($0, MetadataKey.buildOf) } + items.map { ($0, MetadataKey.templateName) }).compactMap { record, key in
                record.href.flatMap { href in record.metadata[key].map { (href, $0) } }
            }, uniquingKeysWith: { first, _ in first })
        snapshot.markFindings = validation.findings + (try await generalCopies).map {
            Self.tampering($0, orgNames: orgNames, ownerByVApp: ownerByVApp, templateByHref: templateByHref)
        }
        for finding in snapshot.markFindings { logger.warning("\(finding.kind.rawValue): \(finding.message)") }
        snapshot.takenAt = Date()
        return snapshot
    }

    /// A GENERAL-domain cse key: which cluster (or template) it concerns is the one it claims, else the one the SYSTEM
    /// marks of its object (or of a VM's vApp) name.
    static func tampering(_ copy: (record: QueryRecord, key: String, value: String), orgNames: [String: String],
                          ownerByVApp: [String: String], templateByHref: [String: String]) -> MarkFinding {
        let record = copy.record
        let org = orgName(record["org"], orgNames)
        let vAppHref = record.kind.contains("VM") ? record["container"] : record.href
        let clusterID = copy.key == MetadataKey.clusterID ? copy.value : vAppHref.flatMap { ownerByVApp[$0] }
        let templateName = [MetadataKey.templateName, MetadataKey.buildOf].contains(copy.key) ? copy.value : record.href.flatMap { templateByHref[$0] }
        let kind = record.kind.contains("VM") ? "VM" : (record.kind.contains("CatalogItem") ? "catalog item" : "vApp")
        return MarkFinding(kind: .tampered, href: record.href ?? "", objectName: record.name ?? "", org: org, key: copy.key, value: copy.value,
                           clusterID: clusterID, templateName: templateName,
                           message: "\(kind) \(org)/\(record.name ?? "?") carries \(copy.key)=\(copy.value) in the GENERAL domain, which tenants can write: ignored")
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
                name: record.name ?? "", href: href, org: Self.orgName(record["org"], orgNames),
                vdc: record["vdcName"] ?? "", owner: owner, specHash: record.metadata[MetadataKey.specHash] ?? "",
                templateItem: record.metadata[MetadataKey.templateItem] ?? "", network: nil,
                isBusy: busy.contains(href), vms: observedVMs.sorted { $0.name < $1.name }))
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
        var ip: String?
        if record.metadata[MetadataKey.guestReady] == "true" {
            guest = .ready
            // A ready master's address is needed (kubeconfig, status) and only its document has it.
            if record.metadata[MetadataKey.nodeRole] == "master" {
                var read = document
                if read == nil { read = try await readIfPresent(href) }
                guard let read else { return nil }
                ip = VMDocument(read).ipAddress
            }
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
            ip = parsed.ipAddress
        }
        return ObservedVM(name: record.name ?? "", href: href, powerState: VMDocument.powerState(record["status"]),
                          ipAddress: ip?.isEmpty == false ? ip : nil, cpu: cpu, memoryMB: memory, guest: guest,
                          isBusy: busy.contains(href), isTagged: record.metadata[MetadataKey.nodeRole] != nil,
                          isMarkedReady: record.metadata[MetadataKey.guestReady] == "true")
    }

    private func images(_ refs: [SourceImageRef], orgNames: [String: String]) async throws -> [ObservedSourceImage] {
        var result: [ObservedSourceImage] = []
        for ref in Set(refs).sorted(by: { ($0.org, $0.catalog, $0.item) < ($1.org, $1.catalog, $1.item) }) {
            let records = try await session.query("adminCatalogItem", filter: "name==\(ref.item)",
                                                  fields: ["name", "catalogName", "org", "entity", "status", Marks.field(MetadataKey.sourceSHA1)])
            // Scoped by org as well as catalog: catalog and item names repeat across orgs.
            for record in records where record["catalogName"] == ref.catalog
                && Self.orgName(record["org"], orgNames).caseInsensitiveCompare(ref.org) == .orderedSame {
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
                                isReady: isResolved(record["status"]))
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
