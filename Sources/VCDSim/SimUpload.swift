import Crypto
import Foundation

/// vCD's OVF upload protocol (vCloud API guide, "Upload an OVF package"; pyvcloud's Org.upload_ovf follows it):
/// `action/upload` creates the catalog item with a template that lists one File, `descriptor.ovf`, with an upload
/// link. Once the descriptor is received and processed, and only some time later, the template lists the files the
/// descriptor references, each with its `size` and `bytesTransferred`. A file may come whole or in pieces
/// (`Content-Range: bytes FIRST-LAST/TOTAL`, each piece starting where the transfer stands); finished files stay
/// listed with `bytesTransferred` = `size`. When every file is complete, an import task runs and the template resolves.
extension Simulator {
    func beginUpload(_ request: SimRequest, catalogID: String, caller: SimCaller, now: Date) throws -> SimResponse {
        guard let catalog = state.catalogs[catalogID] else { throw SimFault.forbidden("No access to entity \"com.vmware.vcloud.entity.catalog:\(catalogID)\".") }
        try require(caller, canSee: catalog.org)
        let body = try parseBody(request)
        guard body.name == "UploadVAppTemplateParams", let name = body["name"], !name.isEmpty else {
            throw SimFault.badRequest("expected UploadVAppTemplateParams with a name")
        }
        if state.catalogItems.values.contains(where: { $0.catalog == catalogID && $0.name == name }) {
            throw SimFault.duplicateName("The VCD entity \(name) already exists in catalog \(catalog.name).")
        }
        let templateID = state.newID(0x7e3)
        let itemID = state.newID(0x17e)
        state.templates[templateID] = SimTemplate(id: templateID, name: name, org: catalog.org, vdc: nil, catalogItem: itemID, vms: [], status: 0,
                                                  ovaSHA1: nil, uploadFiles: [SimUploadFile(name: Self.descriptorName, size: -1)])
        state.catalogItems[itemID] = SimCatalogItem(id: itemID, name: name, description: body.first("Description")?.text ?? "", catalog: catalogID,
                                                    template: templateID, createdAt: now)
        dirty = true
        var response = try catalogItemDocument(itemID, caller: caller)
        response.status = 201
        return response
    }

    static let descriptorName = "descriptor.ovf"

    /// Lists the descriptor's files once their time has come (called before the template is shown or written to).
    func revealUploadFiles(_ templateID: String, now: Date) {
        guard var template = state.templates[templateID], let at = template.filesListedAt, now >= at, !template.announcedFiles.isEmpty else { return }
        template.uploadFiles += template.announcedFiles
        template.announcedFiles = []
        state.templates[templateID] = template
        dirty = true
    }

    /// Upload transfers carry no session token in vCD either: the transfer URL itself is the credential.
    func receiveUpload(_ request: SimRequest, templateID: String, file: String, now: Date) throws -> SimResponse {
        revealUploadFiles(templateID, now: now)
        guard var template = state.templates[templateID], template.status == 0,
              let index = template.uploadFiles.firstIndex(where: { $0.name == file }) else {
            throw SimFault.notFound("no upload expects \(file)")
        }
        var entry = template.uploadFiles[index]
        let piece = try UploadPiece(header: request.headers["content-range"], length: request.body.count)
        if let total = piece.total {
            guard entry.size < 0 || entry.size == total else {
                throw SimFault.badRequest("Content-Range total \(total) does not match the size \(entry.size) of \(file)")
            }
            entry.size = total
        }
        if entry.isComplete { return SimResponse(status: 200) }  // a repeated piece of a finished file
        guard piece.first <= entry.bytesTransferred else {
            throw SimFault.badRequest("\(file): a piece starting at byte \(piece.first) leaves a gap; \(entry.bytesTransferred) bytes were received")
        }
        // A piece sent again after a lost answer overlaps what arrived: only its new tail counts.
        let skip = entry.bytesTransferred - piece.first
        if skip < request.body.count {
            let fresh = request.body.dropFirst(skip)
            let key = "\(templateID)/\(file)"
            var progress = uploadProgress[key] ?? SimUploadProgress(hasher: entry.bytesTransferred == 0 ? Insecure.SHA1() : nil)
            progress.hasher?.update(data: fresh)
            if file == Self.descriptorName { progress.descriptor.append(fresh) }
            entry.bytesTransferred += fresh.count
            if piece.total == nil && piece.first == 0 && entry.size < 0 { entry.size = entry.bytesTransferred }  // a whole file in one PUT
            if entry.size >= 0 && entry.bytesTransferred > entry.size {
                throw SimFault.badRequest("\(file) is \(entry.size) bytes; \(entry.bytesTransferred) were sent")
            }
            if entry.isComplete {
                entry.sha1 = progress.hasher.map { $0.finalize().map { String(format: "%02x", $0) }.joined() }
                uploadProgress[key] = nil
                if file == Self.descriptorName { try processDescriptor(progress.descriptor, into: &template, now: now) }
            } else {
                uploadProgress[key] = progress
            }
        }
        template.uploadFiles[index] = entry
        state.templates[templateID] = template
        dirty = true
        if template.announcedFiles.isEmpty, template.filesListedAt != nil, template.uploadFiles.allSatisfy(\.isComplete) {
            try startImport(template, request: request, now: now)
        }
        return SimResponse(status: 200)
    }

    /// Reads the OVF descriptor: its References are the files to come (with their `ovf:size`), listed only after
    /// `uploadListSeconds`; its hardware gives the template VM.
    private func processDescriptor(_ data: Data, into template: inout SimTemplate, now: Date) throws {
        let descriptor = try SimXML.parse(data)
        guard descriptor.name == "Envelope" else { throw SimFault.badRequest("the OVF descriptor must be an ovf:Envelope, not \(descriptor.name)") }
        template.announcedFiles = (descriptor.first("References")?.all("File") ?? []).compactMap { file in
            file["href"].map { SimUploadFile(name: $0, size: file["size"].flatMap(Int.init) ?? -1) }
        }
        template.filesListedAt = now.addingTimeInterval(options.uploadListSeconds)
        let items = descriptor.descendants("VirtualHardwareSection").first?.all("Item") ?? []
        func quantity(_ type: String) -> Int? {
            items.first { $0.first("ResourceType")?.text == type }.flatMap { $0.first("VirtualQuantity").flatMap { Int($0.text) } }
        }
        template.vms = [SimTemplateVM(id: state.newID(0x7e4), name: descriptor.descendants("VirtualSystem").first?["id"] ?? "vm",
                                      cpu: quantity("3") ?? 1, memoryMB: quantity("4") ?? 1024, diskMB: 10240,
                                      osType: "otherLinux64Guest", isCustomized: false,
                                      // Cloud images declare cloud-init's OVF properties (Ubuntu's: `user-data`).
                                      hasCloudInit: descriptor.descendants("Property").contains { $0["key"] == "user-data" })]
    }

    private func startImport(_ template: SimTemplate, request: SimRequest, now: Date) throws {
        guard state.runningTask(on: template.id) == nil, let org = state.orgs[template.org],
              let admin = state.users.values.first(where: { $0.role == .systemAdministrator }) ?? state.users.values.first(where: { $0.org == org.id }) else { return }
        let caller = SimCaller(user: admin, org: org, token: "")
        _ = try startTask(operation: "vdcUploadOvfContents", name: "Importing vApp template \(template.name)", org: template.org, caller: caller,
                          object: (.vAppTemplate, template.id, template.name), effect: .resolveTemplate(template: template.id),
                          now: now, method: request.method, path: request.path)
    }
}

/// One PUT of an upload: the bytes it carries, from `Content-Range: bytes FIRST-LAST/TOTAL` or the whole file.
struct UploadPiece {
    var first: Int
    var total: Int?

    init(header: String?, length: Int) throws {
        guard let header else {
            first = 0
            total = nil
            return
        }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes "), let slash = text.firstIndex(of: "/") else {
            throw SimFault.badRequest("Content-Range '\(header)' is not 'bytes FIRST-LAST/TOTAL'")
        }
        let span = text[text.index(text.startIndex, offsetBy: 6)..<slash].split(separator: "-")
        guard span.count == 2, let first = Int(span[0]), let last = Int(span[1]), let total = Int(text[text.index(after: slash)...]),
              first >= 0, last >= first, last < total else {
            throw SimFault.badRequest("Content-Range '\(header)' is not 'bytes FIRST-LAST/TOTAL'")
        }
        guard last - first + 1 == length else {
            throw SimFault.badRequest("Content-Range '\(header)' announces \(last - first + 1) bytes; the body has \(length)")
        }
        self.first = first
        self.total = total
    }
}

/// What the simulator keeps in memory (not in its state file) of a file being received.
struct SimUploadProgress {
    /// SHA-1 of the bytes so far; nil when the transfer began before a restart (no checksum then).
    var hasher: Insecure.SHA1?
    /// The descriptor's bytes (it is parsed when complete); disk files are not kept.
    var descriptor = Data()
}
