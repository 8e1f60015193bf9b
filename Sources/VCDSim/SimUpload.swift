import Crypto
import Foundation

/// The vCD OVF upload flow: create the item (`action/upload`), PUT the descriptor to the link the template
/// offers, then PUT each file the descriptor references; the template imports and resolves.
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
                                                  ovaSHA1: nil, pendingFiles: ["descriptor.ovf"])
        state.catalogItems[itemID] = SimCatalogItem(id: itemID, name: name, description: body.first("Description")?.text ?? "", catalog: catalogID,
                                                    template: templateID, createdAt: now)
        dirty = true
        var response = try catalogItemDocument(itemID, caller: caller)
        response.status = 201
        return response
    }

    /// Upload transfers carry no session token in vCD either: the transfer URL itself is the credential.
    func receiveUpload(_ request: SimRequest, templateID: String, file: String, now: Date) throws -> SimResponse {
        guard var template = state.templates[templateID], template.pendingFiles.contains(file) else {
            throw SimFault.notFound("no upload expects \(file)")
        }
        template.pendingFiles.removeAll { $0 == file }
        let digest = Insecure.SHA1.hash(data: request.body).map { String(format: "%02x", $0) }.joined()
        template.uploadedFiles.append(SimUploadedFile(name: file, size: request.body.count, sha1: digest))
        if file == "descriptor.ovf" {
            let descriptor = try SimXML.parse(request.body)
            let files = descriptor.first("References")?.all("File").compactMap { $0["href"] } ?? []
            template.pendingFiles += files
            let hardware = descriptor.descendants("VirtualHardwareSection").first
            let items = hardware?.all("Item") ?? []
            func quantity(_ type: String) -> Int? {
                items.first { $0.first("ResourceType")?.text == type }.flatMap { $0.first("VirtualQuantity").flatMap { Int($0.text) } }
            }
            template.vms = [SimTemplateVM(id: state.newID(0x7e4), name: descriptor.descendants("VirtualSystem").first?["id"] ?? "vm",
                                          cpu: quantity("3") ?? 1, memoryMB: quantity("4") ?? 1024, diskMB: 10240,
                                          osType: "otherLinux64Guest", isCustomized: false,
                                          // Cloud images declare cloud-init's OVF properties (Ubuntu's: `user-data`).
                                          hasCloudInit: descriptor.descendants("Property").contains { $0["key"] == "user-data" })]
        }
        state.templates[templateID] = template
        dirty = true
        if template.pendingFiles.isEmpty, let org = state.orgs[template.org],
           let admin = state.users.values.first(where: { $0.role == .systemAdministrator }) ?? state.users.values.first(where: { $0.org == org.id }) {
            let caller = SimCaller(user: admin, org: org, token: "")
            _ = try startTask(operation: "vdcUploadOvfContents", name: "Importing vApp template \(template.name)", org: template.org, caller: caller,
                              object: (.vAppTemplate, templateID, template.name), effect: .resolveTemplate(template: templateID),
                              now: now, method: request.method, path: request.path)
        }
        return SimResponse(status: 200)
    }
}
