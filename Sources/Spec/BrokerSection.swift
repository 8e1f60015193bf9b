/// The seed's `broker` section of config.yaml, read into the template spec it describes, so that
/// `cse install config.yaml` and `cse uninstall config.yaml` work as they did in CSE 0.1.
struct BrokerSection {
    static let keys = [
        "type", "org", "vdc", "network", "ip_allocation_mode", "catalog", "labels", "source_ova", "sha1_ova",
        "source_ova_name", "temp_vapp", "cleanup", "capture", "master_template", "master_template_disk", "node_template",
        "password", "ssh_public_key", "master_cpu", "master_mem", "node_cpu", "node_mem", "cse_msg_dir",
        "kubernetes_version", "docker_version", "weave_version", "storage_profile",
    ]

    let reader: MappingReader

    func template() -> TemplateSpec? {
        let errorsBefore = reader.sink.diagnostics.count
        if let type = reader.string("type"), type != "default" {
            reader.report("type", "'broker.type' must be 'default' (the only broker), found '\(type)'")
        }
        // Obsolete since CSE 0.2 (the experimental file-based volume provisioner); accepted so old files load.
        _ = reader.string("cse_msg_dir")
        let labels = reader.stringList("labels") ?? ["ubuntu", "16.04"]
        let os = operatingSystem(labels)
        let name = reader.name(key: "master_template")
        if let node = reader.string("node_template"), let name, node != name {
            reader.report("node_template", "'broker.node_template' must be the same as 'broker.master_template' ('\(name)'), found '\(node)'")
        }
        let url = reader.string("source_ova", required: true)
        if let url, !TemplateParser.isSupportedURL(url) {
            reader.report("source_ova", "'broker.source_ova' must be an http, https or file URL, found '\(url)'")
        }
        let sha1 = reader.string("sha1_ova", required: true)?.lowercased()
        if let sha1, sha1.count != 40 || !sha1.allSatisfy(\.isHexDigit) {
            reader.report("sha1_ova", "'broker.sha1_ova' must be 40 hexadecimal digits")
        }
        let sourceName = reader.entityName("source_ova_name")
        let org = reader.entityName("org", required: true)
        let vdc = reader.entityName("vdc", required: true)
        let network = reader.entityName("network", required: true)
        let catalog = reader.entityName("catalog", required: true)
        let mode: IPAllocationMode? = reader.choice("ip_allocation_mode")
        let tempVApp = reader.string("temp_vapp")
        let cleanup = reader.bool("cleanup")
        let capture = reader.bool("capture")
        let disk = reader.int("master_template_disk", range: 0...(64 * 1024 * 1024))
        let password = reader.secret("password", required: true)
        let sshKey = reader.sshPublicKey("ssh_public_key")
        let master = SizeOverride(cpu: reader.int("master_cpu", range: VMResources.cpuRange), memoryMB: reader.memory("master_mem"))
        let node = SizeOverride(cpu: reader.int("node_cpu", range: VMResources.cpuRange), memoryMB: reader.memory("node_mem"))
        let storageProfile = reader.entityName("storage_profile")
        guard reader.sink.diagnostics.count == errorsBefore, let os, let name, let url, let sha1, let org, let vdc,
              let network, let catalog, let password else { return nil }
        let defaults = SoftwareVersions.legacyDefaults(for: os)
        return TemplateSpec(
            name: name, labels: labels, os: os,
            source: OVASource(url: url, sha1: sha1, catalogItem: sourceName ?? (url.split(separator: "/").last.map(String.init) ?? url)),
            build: BuildSite(org: org, vdc: vdc, network: network, ipAllocationMode: mode ?? .pool, catalog: catalog,
                             tempVApp: tempVApp ?? "csetmp-\(name)", cleanup: cleanup ?? true, capture: capture ?? true,
                             storageProfile: storageProfile),
            catalogItem: name, diskSizeMB: disk ?? 0,
            versions: SoftwareVersions(kubernetes: reader.string("kubernetes_version") ?? defaults.kubernetes,
                                       docker: reader.string("docker_version") ?? defaults.runtime.version,
                                       weave: reader.string("weave_version") ?? defaults.cni.version),
            master: master.resolved(defaults: .defaultMaster), node: node.resolved(defaults: .defaultNode),
            adminSSHKey: sshKey, rootPassword: password)
    }

    /// The seed told the OS by labels: `photon` / `ubuntu`, optionally with a version label.
    private func operatingSystem(_ labels: [String]) -> OperatingSystem? {
        for family in OperatingSystem.Family.allCases where labels.contains(family.rawValue) {
            let versions = OperatingSystem.supportedVersions[family] ?? []
            let version = labels.first { versions.contains($0) } ?? versions[0]
            return OperatingSystem(family: family, version: version)
        }
        reader.report("labels", "'broker.labels' must name the OS: 'ubuntu' or 'photon'")
        return nil
    }
}

extension MappingReader {
    /// A template name under another key (the seed's `master_template`).
    func name(key: String) -> String? {
        guard let name = string(key, required: true) else { return nil }
        if let problem = NameRules.templateNameProblem(name) {
            report(key, "'\(qualified(key))' '\(name)' \(problem)")
            return nil
        }
        return name
    }
}
