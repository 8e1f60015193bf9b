import Foundation

/// Reads a `kind: Template` document.
struct TemplateParser {
    let document: MappingReader

    func parse() -> TemplateSpec? {
        let errorsBefore = document.sink.diagnostics.count
        let metadata = document.mapping("metadata", allowedKeys: ["name"], required: true)
        let name = metadata?.name(rule: NameRules.templateNameProblem)
        guard let spec = document.mapping("spec", allowedKeys: [
            "os", "labels", "source", "build", "catalogItem", "diskSizeMB", "versions", "master", "node",
            "adminSSHKey", "rootPassword", "packages",
        ], required: true) else { return nil }

        let os = readOS(spec)
        let labels = spec.stringList("labels")
        let source = readSource(spec)
        let build = readBuild(spec, templateName: name)
        let catalogItem = spec.entityName("catalogItem")
        let diskSizeMB = spec.int("diskSizeMB", range: 0...(64 * 1024 * 1024))
        let packages = TemplateVersionsReader.packages(spec)
        let versions = TemplateVersionsReader.versions(spec, os: os, packages: packages)
        let master = spec.resources("master")
        let node = spec.resources("node")
        let adminSSHKey = spec.sshPublicKey("adminSSHKey")
        let rootPassword = spec.secret("rootPassword", required: true)

        guard document.sink.diagnostics.count == errorsBefore, let name, let os, let source, let build,
              let versions, let rootPassword else { return nil }
        return TemplateSpec(
            name: name,
            labels: labels ?? [os.family.rawValue, os.version],
            os: os,
            source: source,
            build: build,
            catalogItem: catalogItem ?? name,
            diskSizeMB: diskSizeMB ?? 0,
            versions: versions,
            master: master.resolved(defaults: .defaultMaster),
            node: node.resolved(defaults: .defaultNode),
            adminSSHKey: adminSSHKey,
            rootPassword: rootPassword,
            packages: packages ?? PackageSources()
        )
    }

    private func readOS(_ spec: MappingReader) -> OperatingSystem? {
        guard let reader = spec.mapping("os", allowedKeys: ["name", "version"], required: true) else { return nil }
        let family: OperatingSystem.Family? = reader.choice("name", required: true)
        guard let family, let version = reader.string("version", required: true) else { return nil }
        let supported = OperatingSystem.supportedVersions[family] ?? []
        guard supported.contains(version) else {
            reader.report("version", "'\(reader.qualified("version"))' \(family.rawValue) '\(version)' is not supported; supported: \(supported.joined(separator: ", "))")
            return nil
        }
        return OperatingSystem(family: family, version: version)
    }

    /// `url` and `sha1` go together; without them the OVA must already be in the catalog as `catalogItem`.
    private func readSource(_ spec: MappingReader) -> OVASource? {
        guard let reader = spec.mapping("source", allowedKeys: ["url", "sha1", "catalogItem"], required: true) else { return nil }
        let errorsBefore = reader.sink.diagnostics.count
        let url = reader.string("url")
        if let url, !Self.isSupportedURL(url) {
            reader.report("url", "'\(reader.qualified("url"))' must be an http, https or file URL, found '\(url)'")
        }
        let sha1 = reader.string("sha1")?.lowercased()
        if let sha1, sha1.count != 40 || !sha1.allSatisfy(\.isHexDigit) {
            reader.report("sha1", "'\(reader.qualified("sha1"))' must be 40 hexadecimal digits")
        }
        if url != nil && sha1 == nil {
            reader.report("url", "'\(reader.qualified("url"))' needs '\(reader.qualified("sha1"))', the SHA-1 of the OVA it downloads")
        }
        if url == nil && sha1 != nil {
            reader.report("sha1", "'\(reader.qualified("sha1"))' belongs to a '\(reader.qualified("url"))'")
        }
        let item = reader.entityName("catalogItem")
        let defaultItem = url.flatMap { URL(string: $0)?.lastPathComponent }
        if item == nil && url == nil && !reader.has("catalogItem") {
            reader.report("catalogItem", "'\(reader.qualified("catalogItem"))' is required without '\(reader.qualified("url"))' (an OVA already in the catalog)")
        }
        guard reader.sink.diagnostics.count == errorsBefore, let name = item ?? defaultItem else { return nil }
        return OVASource(url: url, sha1: sha1, catalogItem: name)
    }

    static func isSupportedURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        switch scheme {
        case "http", "https": return url.host != nil && !url.lastPathComponent.isEmpty
        case "file": return !url.path.isEmpty
        default: return false
        }
    }

    private func readBuild(_ spec: MappingReader, templateName: String?) -> BuildSite? {
        guard let reader = spec.mapping("build", allowedKeys: [
            "org", "vdc", "network", "ipAllocationMode", "catalog", "tempVApp", "cleanup", "capture", "storageProfile",
        ], required: true) else { return nil }
        let org = reader.entityName("org", required: true)
        let vdc = reader.entityName("vdc", required: true)
        let network = reader.entityName("network", required: true)
        let mode: IPAllocationMode? = reader.choice("ipAllocationMode")
        let catalog = reader.entityName("catalog", required: true)
        var tempVApp = reader.string("tempVApp")
        if let name = tempVApp, let problem = NameRules.templateNameProblem(name) {
            reader.report("tempVApp", "'\(reader.qualified("tempVApp"))' '\(name)' \(problem)")
            tempVApp = nil
        }
        let cleanup = reader.bool("cleanup")
        let capture = reader.bool("capture")
        let storageProfile = reader.entityName("storageProfile")
        guard let org, let vdc, let network, let catalog else { return nil }
        return BuildSite(
            org: org, vdc: vdc, network: network,
            ipAllocationMode: mode ?? .pool,
            catalog: catalog,
            tempVApp: tempVApp ?? "csetmp-\(templateName ?? "template")",
            cleanup: cleanup ?? true,
            capture: capture ?? true,
            storageProfile: storageProfile
        )
    }

    static func isDottedVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (2...4).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
