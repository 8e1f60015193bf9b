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
        let startedAt = Date()
        async let clusterRecords = session.query("adminVApp", filter: Marks.present(MetadataKey.clusterID), fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            Marks.field(MetadataKey.clusterID), Marks.field(MetadataKey.clusterOrg), Marks.field(MetadataKey.specHash),
            Marks.field(MetadataKey.templateItem), Marks.field(MetadataKey.installation),
        ])
        async let buildRecords = session.query("adminVApp", filter: Marks.present(MetadataKey.buildOf), fields: [
            "name", "vdcName", "org", "status", "numberOfVMs",
            Marks.field(MetadataKey.buildOf), Marks.field(MetadataKey.specHash), Marks.field(MetadataKey.templateItem),
            Marks.field(MetadataKey.installation),
        ])
        // AdminVMRecord has no ipAddress (queryRecordView.xsd): a VM's address comes from its document.
        async let vmRecords = session.query("adminVM", filter: Marks.present(MetadataKey.nodeRole), fields: [
            "name", "container", "containerName", "status", "numberOfCpus", "memoryMB",
            Marks.field(MetadataKey.nodeRole), Marks.field(MetadataKey.guestReady),
        ])
        async let templateRecords = session.query("adminCatalogItem", filter: Marks.present(MetadataKey.templateName), fields: [
            "name", "catalogName", "org", "entity", "status",
            Marks.field(MetadataKey.templateName), Marks.field(MetadataKey.templateRevision), Marks.field(MetadataKey.specHash),
            Marks.field(MetadataKey.installation),
        ])
        async let taskRecords = session.query("adminTask", filter: "status==running,status==queued,status==preRunning",
                                              fields: ["object", "status"])
        async let generalCopies = GeneralMarkScan(session: session).findings()
        // Query records name orgs by href; one read of the org list turns them into names.
        let orgNames = Dictionary(try await session.get("/api/org").all("Org").compactMap { org in org["href"].map { ($0, org["name"] ?? "") } },
                                  uniquingKeysWith: { first, _ in first })
        let busy = Set(try await taskRecords.compactMap { $0["object"] })
        let vms = try await vmRecords
        var snapshot = Snapshot(startedAt: startedAt)
        let clusters = try await clusterRecords
        let validation = MarkValidator(expected: placements).validate(
            try await vApps(clusters, ownerKey: MetadataKey.clusterID, vms: vms, busy: busy, orgNames: orgNames),
            claimedOrgs: MarkReader.values(clusters, key: MetadataKey.clusterOrg))
        snapshot.clusters = validation.valid
        snapshot.conflictedClusterIDs = validation.conflicted
        let builds = try await buildRecords
        snapshot.buildVApps = try await vApps(builds, ownerKey: MetadataKey.buildOf, vms: vms, busy: busy, orgNames: orgNames)
        let items = try await templateRecords
        snapshot.templates = try items.compactMap { try Self.template($0, orgNames: orgNames) }
        snapshot.sourceImages = try await images(sourceImages, orgNames: orgNames)
        snapshot.markFindings = validation.findings
            + MarkReader.tampering(try await generalCopies, clusters: clusters, builds: builds, items: items, orgNames: orgNames)
        for finding in snapshot.markFindings { logger.debug("\(finding.kind.rawValue): \(finding.message)") }
        snapshot.takenAt = Date()
        return snapshot
    }

    private func vApps(_ records: [QueryRecord], ownerKey: String, vms: [QueryRecord], busy: Set<String>,
                       orgNames: [String: String]) async throws -> [ObservedVApp] {
        let vmsByVApp = Dictionary(grouping: try vms.map(VMRecord.init), by: \.container)
        let records = try records.map(VAppRecord.init)
        // Documents some vApps need (VMs without marks, a ready master's address) are read a few vApps at a time.
        var result: [ObservedVApp] = []
        try await withThrowingTaskGroup(of: ObservedVApp?.self) { group in
            var pending = records[...]
            func startNext() {
                guard let record = pending.popFirst() else { return }
                group.addTask { try await self.vApp(record, ownerKey: ownerKey, members: vmsByVApp[record.href] ?? [], busy: busy, orgNames: orgNames) }
            }
            for _ in 0..<Self.concurrentReads { startNext() }
            while let observed = try await group.next() {
                if let observed { result.append(observed) }
                startNext()
            }
        }
        return result.sorted { ($0.org, $0.name, $0.href) < ($1.org, $1.name, $1.href) }
    }

    /// vApps whose documents are read at the same time during an observation.
    static let concurrentReads = 24

    /// One vApp from its record and its VMs' records; nil when it was deleted while the observation ran.
    private func vApp(_ record: VAppRecord, ownerKey: String, members: [VMRecord], busy: Set<String>,
                      orgNames: [String: String]) async throws -> ObservedVApp? {
        // The query asked for vApps with this key: one without it is not an answer to that query.
        guard let owner = record.metadata[ownerKey] else { throw MissingField(record: "AdminVAppRecord", field: "metadata \(ownerKey)", href: record.href) }
        var members = members
        var vmDocuments: [String: XMLTree] = [:]
        // VMs that carry no role metadata yet (a crash between recompose and tagging) are found by reading the vApp.
        if let count = record.numberOfVMs, count != members.count {
            // Deleted between the list and this read: it is gone, as the next observation will show.
            guard let document = try await readIfPresent(record.href) else { return nil }
            for vm in document.path("Children")?.all("Vm") ?? [] {
                let member = try VMRecord(document: vm, container: record.href)
                vmDocuments[member.href] = vm
                if !members.contains(where: { $0.href == member.href }) { members.append(member) }
            }
        }
        var observedVMs: [ObservedVM] = []
        for member in members {
            if let observed = try await vm(member, document: vmDocuments[member.href], busy: busy) { observedVMs.append(observed) }
        }
        // The org is the one vCD names for the vApp, never what metadata claims.
        let org = record.org.map { Self.orgName($0, orgNames) } ?? ""
        return ObservedVApp(
            name: record.name, href: record.href, org: org, vdc: record.vdcName ?? "", owner: owner,
            specHash: record.metadata[MetadataKey.specHash] ?? "", templateItem: record.metadata[MetadataKey.templateItem] ?? "",
            network: nil, isBusy: busy.contains(record.href), vms: observedVMs.sorted { $0.name < $1.name },
            installation: record.metadata[MetadataKey.installation])
    }

    private func readIfPresent(_ href: String) async throws -> XMLTree? {
        do {
            return try await session.get(href)
        } catch let error as VCDError where error.isNotFound {
            return nil
        }
    }

    /// nil when the VM was deleted while the observation ran.
    private func vm(_ record: VMRecord, document: XMLTree?, busy: Set<String>) async throws -> ObservedVM? {
        let guest: GuestProgress
        // Unknown is not zero: a size neither the record nor the document shows stays nil, and is never acted on.
        var cpu = record.cpu
        var memory = record.memoryMB
        var ip: String?
        var secrets = BootstrapSecrets()
        if record.metadata[MetadataKey.guestReady] == "true" {
            guest = .ready
            // A ready master's address is needed (kubeconfig, status) and only its document has it.
            if record.metadata[MetadataKey.nodeRole] == "master" {
                var read = document
                if read == nil { read = try await readIfPresent(record.href) }
                guard let read else { return nil }
                let parsed = VMDocument(read)
                ip = parsed.ipAddress
                secrets = BootstrapSecrets(extraConfig: parsed.extraConfig)
            }
        } else {
            // The guest's reports live in the VM's extra config, which only a VM read shows.
            let vm: XMLTree
            if let document {
                vm = document
            } else {
                guard let read = try await readIfPresent(record.href) else { return nil }
                vm = read
            }
            let parsed = VMDocument(vm)
            guest = guestReader(parsed.extraConfig)
            secrets = BootstrapSecrets(extraConfig: parsed.extraConfig)
            cpu = parsed.cpu ?? cpu
            memory = parsed.memoryMB ?? memory
            ip = parsed.ipAddress
        }
        return ObservedVM(name: record.name, href: record.href, powerState: VMDocument.powerState(record.status),
                          ipAddress: ip?.isEmpty == false ? ip : nil, cpu: cpu, memoryMB: memory, guest: guest,
                          isBusy: busy.contains(record.href), isTagged: record.metadata[MetadataKey.nodeRole] != nil,
                          isMarkedReady: record.metadata[MetadataKey.guestReady] == "true", bootstrapSecrets: secrets)
    }

    /// Each source OVA in its own org and catalog: a same-named item of another org is never taken for it.
    private func images(_ refs: [SourceImageRef], orgNames: [String: String]) async throws -> [ObservedSourceImage] {
        var result: [ObservedSourceImage] = []
        for ref in Set(refs).sorted(by: { ($0.org, $0.catalog, $0.item) < ($1.org, $1.catalog, $1.item) }) {
            let records = try await session.query("adminCatalogItem", filter: "name==\(ref.item);catalogName==\(ref.catalog)",
                                                  fields: ["name", "catalogName", "org", "entity", "status", Marks.field(MetadataKey.sourceSHA1)])
            for record in try records.map(CatalogItemRecord.init)
            where record.name == ref.item && record.catalogName == ref.catalog
                && Self.orgName(record.org, orgNames).caseInsensitiveCompare(ref.org) == .orderedSame {
                result.append(ObservedSourceImage(org: ref.org, catalog: ref.catalog, itemName: ref.item,
                                                  sha1: record.metadata[MetadataKey.sourceSHA1], href: record.href,
                                                  isReady: Self.isResolved(record.status)))
            }
        }
        return result
    }

    /// A template revision from its catalog item's record; nil when its revision metadata does not read as one
    /// (metadata is not vCD's to guarantee: such an item is not taken for a revision, and never touched).
    static func template(_ record: QueryRecord, orgNames: [String: String] = [:]) throws -> ObservedTemplate? {
        let item = try CatalogItemRecord(record)
        guard let name = item.metadata[MetadataKey.templateName], let revision = item.metadata[MetadataKey.templateRevision].flatMap(Int.init),
              let specHash = item.metadata[MetadataKey.specHash] else { return nil }
        return ObservedTemplate(name: name, revision: revision, specHash: specHash, org: orgName(item.org, orgNames),
                                catalog: item.catalogName, itemName: item.name, href: item.href,
                                vAppTemplateHref: item.entity, isReady: isResolved(item.status),
                                installation: item.metadata[MetadataKey.installation])
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

/// What the reconciler needs of an observation (the `Observer`; a test may wrap one).
public protocol Observing: Sendable {
    func observe(sourceImages: [SourceImageRef], placements: [String: ClusterPlacement]) async throws -> Snapshot
}

extension Observer: Observing {}
