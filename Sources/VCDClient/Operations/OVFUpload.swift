import Foundation

extension VCDSession {
    /// Uploads an OVF package into a catalog as a vApp template through vCD's upload flow: create the item
    /// (`uploadVAppTemplateParams`), PUT the descriptor to the link the template offers, PUT every file the
    /// template then asks for, and wait until it is imported. An item of the same name left by an interrupted
    /// upload is resumed, not created again. Returns the catalog item's href.
    public func uploadOVF(catalog: XMLTree, itemName: String, description: String, descriptor: Data, files: [String: Data],
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
            let pending = template.descendants("File").compactMap { file -> (name: String, href: String)? in
                guard let name = file["name"], let link = file.links.first(where: { $0.rel == "upload:default" }) else { return nil }
                return (name, link.href)
            }
            for file in pending {
                let isDescriptor = file.name == "descriptor.ovf"
                guard let data = isDescriptor ? descriptor : files[file.name] else {
                    throw VCDError(status: 0, message: "vCD asks for \(file.name), which the OVA does not hold", request: "upload")
                }
                _ = try await send("PUT", file.href, contentType: isDescriptor ? "text/xml" : "application/octet-stream", body: data)
            }
            // Everything sent: vCD imports it (the template resolves when done).
            if pending.isEmpty { try await Task.sleep(for: pollInterval) }
        }
        throw TaskWaitError.timedOut(operation: "upload of \(itemName)", after: timeout)
    }
}
