import Spec

extension Step {
    /// What the step acts on, resolved by the diff (hrefs, org/vdc/catalog, spec generation), in a stable order: what
    /// `cse plan` prints is exactly what the executor uses. Never holds secrets or scripts.
    public var handles: [(key: String, value: String)] {
        switch self {
        case .uploadSourceImage(let org, let catalog, let item, let url, let sha1):
            return [("catalog", "\(org)/\(catalog)"), ("item", item), ("url", url), ("sha1", sha1)]
        case .instantiateBuildVApp(let build):
            let site = build.template.build
            return [("vdc", "\(site.org)/\(site.vdc)"), ("network", site.network), ("source", build.sourceItemHref ?? "(not uploaded yet)"),
                    ("revision", String(build.revision))]
        case .captureTemplate(let build, let vAppHref):
            return [("vApp", vAppHref), ("catalog", "\(build.template.build.org)/\(build.template.build.catalog)"), ("item", build.itemName)]
        case .deleteTemplateItem(let org, let catalog, _, let href):
            return [("catalog", "\(org)/\(catalog)"), ("item", href)]
        case .createClusterVApp(let creation):
            return [("vdc", "\(creation.spec.org)/\(creation.spec.vdc)"), ("network", creation.spec.network ?? "(the vdc's first)"),
                    ("template", Self.describe(creation.template, item: creation.templateItem)), ("generation", String(creation.generation))]
        case .addVMs(let addition):
            let vApp: String
            switch addition.vApp {
            case .existing(let href): vApp = href
            case .toBeCreated(let org, let vdc, let name): vApp = "(created in \(org)/\(vdc) as \(name))"
            }
            return [("vApp", vApp), ("template", Self.describe(addition.template, item: addition.templateItem)),
                    ("generation", String(addition.generation))]
        case .powerOnVM(let href), .reconfigureVM(let href, _, _):
            return [("vm", href)]
        case .setMetadata(let href, _):
            return [("entity", href)]
        case .retireBootstrap(let retirement):
            return [("vms", retirement.vms.map(\.href).joined(separator: " "))]
                + (retirement.revocation.map { [("master", $0.masterHref), ("revoke join token", $0.tokenID)] } ?? [])
        case .removeVMs(let vAppHref, let vmHrefs):
            return [("vApp", vAppHref), ("vms", vmHrefs.joined(separator: " "))]
        case .deleteVApp(let href):
            return [("vApp", href)]
        case .confirmDeleted(let uid):
            return [("store object", uid)]
        }
    }

    private static func describe(_ image: TemplateImage?, item: String) -> String {
        guard let image else { return "\(item) (not ready yet)" }
        return "\(image.org)/\(image.catalog)/\(image.itemName) \(image.vAppTemplateHref)"
    }
}
