import VCDClient

/// vCD sent a record or document without a field it always carries (an href, a name, the container of a VM):
/// the observation fails rather than guessing, so no plan is ever made from a half-read cloud.
public struct MissingField: Error, CustomStringConvertible, Sendable, Equatable {
    public var record: String
    public var field: String
    public var href: String?

    public var description: String {
        "vCD's \(record)\(href.map { " \($0)" } ?? "") has no \(field); not planning from an incomplete observation"
    }
}

/// Typed views of the query records the observer reads (vCD's `AdminVAppRecord`, `AdminVMRecord`,
/// `AdminCatalogItemRecord`, per the query service's record schemas): what vCD always sends is required
/// (a missing one throws `MissingField`); what it may omit is Optional; nothing defaults to zero or "".
struct VAppRecord {
    var href: String
    var name: String
    /// The org's href (admin records name the org by href).
    var org: String?
    var vdcName: String?
    var numberOfVMs: Int?
    var metadata: [String: String]

    init(_ record: QueryRecord) throws {
        guard let href = record.href else { throw MissingField(record: record.kind, field: "href") }
        guard let name = record.name else { throw MissingField(record: record.kind, field: "name", href: href) }
        self.href = href
        self.name = name
        org = record["org"]
        vdcName = record["vdcName"]
        numberOfVMs = record["numberOfVMs"].flatMap(Int.init)
        metadata = record.metadata
    }
}

struct VMRecord {
    var href: String
    var name: String
    var container: String
    /// vCD's status word (POWERED_ON, ...); nil when not sent.
    var status: String?
    var cpu: Int?
    var memoryMB: Int?
    var metadata: [String: String]

    init(_ record: QueryRecord) throws {
        guard let href = record.href else { throw MissingField(record: record.kind, field: "href") }
        guard let name = record.name else { throw MissingField(record: record.kind, field: "name", href: href) }
        guard let container = record["container"] else { throw MissingField(record: record.kind, field: "container", href: href) }
        self.init(href: href, name: name, container: container, status: record["status"], cpu: record["numberOfCpus"].flatMap(Int.init),
                  memoryMB: record["memoryMB"].flatMap(Int.init), metadata: record.metadata)
    }

    /// A VM read from its vApp's document (one without cse's metadata yet).
    init(document vm: XMLTree, container: String) throws {
        guard let href = vm["href"] else { throw MissingField(record: "Vm", field: "href") }
        guard let name = vm["name"] else { throw MissingField(record: "Vm", field: "name", href: href) }
        self.init(href: href, name: name, container: container, status: VMDocument.statusName(vm["status"]), cpu: nil, memoryMB: nil,
                  metadata: [:])
    }

    init(href: String, name: String, container: String, status: String?, cpu: Int?, memoryMB: Int?, metadata: [String: String]) {
        self.href = href
        self.name = name
        self.container = container
        self.status = status
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.metadata = metadata
    }
}

struct CatalogItemRecord {
    var href: String
    var name: String
    var catalogName: String
    var org: String
    /// The vApp template (or media) the item holds.
    var entity: String?
    var status: String?
    var metadata: [String: String]

    init(_ record: QueryRecord) throws {
        guard let href = record.href else { throw MissingField(record: record.kind, field: "href") }
        guard let name = record.name else { throw MissingField(record: record.kind, field: "name", href: href) }
        guard let catalogName = record["catalogName"] else { throw MissingField(record: record.kind, field: "catalogName", href: href) }
        guard let org = record["org"] else { throw MissingField(record: record.kind, field: "org", href: href) }
        self.href = href
        self.name = name
        self.catalogName = catalogName
        self.org = org
        entity = record["entity"]
        status = record["status"]
        metadata = record.metadata
    }
}
