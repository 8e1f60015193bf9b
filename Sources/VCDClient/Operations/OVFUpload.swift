import Foundation

/// A file of an OVF package as a region of a file on disk (an OVA is a tar: each member is a byte range of it),
/// read piece by piece while uploading, never whole.
public struct OVFFileSource: Sendable, Hashable {
    public var path: String
    public var offset: Int64
    public var size: Int64

    public init(path: String, offset: Int64 = 0, size: Int64) {
        self.path = path
        self.offset = offset
        self.size = size
    }

    /// `length` bytes from `start` (relative to the region).
    public func read(from start: Int64, length: Int) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset + start))
        let data = try handle.read(upToCount: length) ?? Data()
        guard data.count == length else {
            throw VCDError(status: 0, message: "\(path) ended after \(offset + start + Int64(data.count)) bytes while uploading", request: "upload")
        }
        return data
    }
}

/// One upload file as a vApp template lists it (vcloud FileType: size, bytesTransferred, upload link).
struct UploadFileState {
    var name: String
    var size: Int64
    var transferred: Int64
    var uploadHref: String?

    var isComplete: Bool { size >= 0 && transferred >= size }

    static func list(_ template: XMLTree) -> [UploadFileState] {
        (template.first("Files")?.all("File") ?? []).compactMap { file in
            guard let name = file["name"] else { return nil }
            return UploadFileState(name: name, size: file["size"].flatMap { Int64($0) } ?? -1,
                                   transferred: file["bytesTransferred"].flatMap { Int64($0) } ?? 0,
                                   uploadHref: file.links.first { $0.rel == "upload:default" }?.href)
        }
    }
}

extension VCDSession {
    public static let descriptorFileName = "descriptor.ovf"

    /// Uploads an OVF package into a catalog as a vApp template through vCD's upload protocol (vCloud API guide,
    /// "Upload an OVF package"; pyvcloud's Org.upload_ovf does the same): create the item
    /// (`uploadVAppTemplateParams`), PUT the descriptor to the link the template offers, wait until the template
    /// lists the files the descriptor references (vCD needs a while to process it), send only what is not yet
    /// transferred of each (`bytesTransferred` < `size`: finished files stay listed), in `Content-Range` pieces read
    /// from disk, then follow the import task until the template is resolved. An item of the same name left by an
    /// interrupted upload is resumed where its files stand. Returns the catalog item's href.
    public func uploadOVF(catalog: XMLTree, itemName: String, description: String, descriptor: Data, files: [String: OVFFileSource],
                          pieceSize: Int = 8 << 20, progress: (@Sendable (String) -> Void)? = nil,
                          pollInterval: Duration = .seconds(2), timeout: Duration = .seconds(3600)) async throws -> String {
        var itemHref = catalogItems(of: catalog).first { $0.name == itemName }?.href
        if itemHref == nil {
            guard let upload = catalog.link(rel: "add", type: MediaType.uploadVAppTemplateParams) else {
                throw VCDError(status: 0, message: "catalog offers no upload link", request: "upload")
            }
            let body = XMLWriter.element("UploadVAppTemplateParams", ["xmlns": XMLWriter.vcloud, "name": itemName],
                                         XMLWriter.text("Description", description))
            let item = try await send("POST", upload.href, xml: body, contentType: MediaType.uploadVAppTemplateParams)
            itemHref = item["href"]
        }
        guard let itemHref else { throw VCDError(status: 0, message: "vCD returned no catalog item", request: "upload") }
        guard let templateHref = try await get(itemHref).first("Entity")?["href"] else {
            throw VCDError(status: 0, message: "catalog item \(itemName) has no vApp template", request: "upload")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let template = try await get(templateHref)
            if template["status"] == "8" { return itemHref }
            if let running = try template.first("Tasks")?.all("Task").map(VCDTask.init).first(where: { !$0.status.isFinished }) {
                // Everything arrived: vCD imports it; its task ends with the template resolved (or with the reason it failed).
                try await wait(for: running, timeout: max(.seconds(1), deadline - ContinuousClock.now), pollInterval: pollInterval)
                continue
            }
            let listed = UploadFileState.list(template)
            var sent = false
            for file in listed where !file.isComplete {
                guard let href = file.uploadHref else { continue }
                if file.name == Self.descriptorFileName {
                    _ = try await send("PUT", href, contentType: "text/xml", body: descriptor)
                } else {
                    guard let source = files[file.name] else {
                        throw VCDError(status: 0, message: "vCD asks for \(file.name), which the OVA does not hold", request: "upload")
                    }
                    try await uploadPieces(of: file, from: source, to: href, pieceSize: pieceSize, progress: progress)
                }
                sent = true
            }
            // Nothing to send: the descriptor is being processed (disk files not listed yet) or the import is starting.
            if !sent { try await Task.sleep(for: pollInterval) }
        }
        throw TaskWaitError.timedOut(operation: "upload of \(itemName)", after: timeout)
    }

    /// Sends a file from where its transfer stands, one `Content-Range` piece per request (each its own request, so no
    /// request runs long whatever the file's size), with a progress line about every 10 %.
    private func uploadPieces(of file: UploadFileState, from source: OVFFileSource, to href: String, pieceSize: Int,
                              progress: (@Sendable (String) -> Void)?) async throws {
        let total = file.size >= 0 ? file.size : source.size
        guard total == source.size else {
            throw VCDError(status: 0, message: "vCD expects \(total) bytes of \(file.name); the OVA holds \(source.size)", request: "upload")
        }
        var offset = max(0, file.transferred)
        var lastReported = -10
        let started = ContinuousClock.now
        while offset < total {
            let length = Int(min(Int64(pieceSize), total - offset))
            let piece = try source.read(from: offset, length: length)
            _ = try await send("PUT", href, contentType: "application/octet-stream", body: piece,
                               extraHeaders: [(name: "Content-Range", value: "bytes \(offset)-\(offset + Int64(length) - 1)/\(total)")])
            offset += Int64(length)
            let percent = Int(offset * 100 / max(total, 1))
            if let progress, percent / 10 != lastReported / 10 || offset == total {
                lastReported = percent
                let seconds = max(0.001, Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds))
                let rate = Double(offset - max(0, file.transferred)) / seconds / 1_048_576
                progress("uploading \(file.name): \(offset)/\(total) bytes (\(percent) %, \(String(format: "%.1f", rate)) MB/s)")
            }
        }
    }
}
