/// Reads a template's `versions` and `packages` sections and checks that the versions go together (`VersionRules`).
enum TemplateVersionsReader {
    static func packages(_ spec: MappingReader) -> PackageSources? {
        guard let reader = spec.mapping("packages", allowedKeys: ["mirror", "registryMirror", "proxy"]) else { return nil }
        var sources = PackageSources()
        if let mirror = reader.mapping("mirror", allowedKeys: ["url", "key"]) {
            let url = httpURL(mirror, "url", required: true)
            let key = httpURL(mirror, "key", required: true)
            if let url, let key { sources.mirror = PackageMirror(url: url, key: key) }
        }
        sources.registryMirror = httpURL(reader, "registryMirror", required: false)
        if let proxy = reader.mapping("proxy", allowedKeys: ["http", "https", "noProxy"]) {
            sources.proxy = ProxySettings(http: httpURL(proxy, "http", required: false), https: httpURL(proxy, "https", required: false),
                                          noProxy: proxy.string("noProxy"))
        }
        return sources
    }

    static func versions(_ spec: MappingReader, os: OperatingSystem?, packages: PackageSources?) -> SoftwareVersions? {
        let reader = spec.mapping("versions", allowedKeys: ["kubernetes", "containerd", "docker", "cni", "weave"])
        let errorsBefore = spec.sink.diagnostics.count
        let kubernetes = reader?.string("kubernetes")
        let containerd = reader?.string("containerd")
        let docker = reader?.string("docker")
        let weave = reader?.string("weave")
        if let reader, containerd != nil && docker != nil {
            reader.report("docker", "'\(reader.qualified("docker"))' and '\(reader.qualified("containerd"))' exclude each other: name one runtime")
        }
        var cni: CNIManifest?
        if let reader, let cniReader = reader.mapping("cni", allowedKeys: ["plugin", "version", "url", "sha256"]) {
            let plugin: CNIManifest.Plugin? = cniReader.choice("plugin", required: true)
            let version = cniReader.string("version", required: true)
            let url = httpURL(cniReader, "url", required: false)
            let sha256 = cniReader.string("sha256")?.lowercased()
            if let plugin, let version {
                cni = CNIManifest(plugin: plugin, version: version, url: url,
                                  sha256: sha256 ?? (url == nil ? CNIManifest.knownDigests[plugin]?[version] : nil))
            }
            if weave != nil { reader.report("weave", "'\(reader.qualified("weave"))' is short for a Weave Net 'cni'; name only one") }
        } else if let weave {
            cni = CNIManifest(plugin: .weave, version: weave, url: nil, sha256: nil)
        }
        guard let os, spec.sink.diagnostics.count == errorsBefore else { return nil }
        let defaults = SoftwareVersions.defaults(for: os)
        let runtime: ContainerRuntime = containerd.map(ContainerRuntime.containerd) ?? docker.map(ContainerRuntime.docker) ?? defaults.runtime
        let versions = SoftwareVersions(kubernetes: kubernetes ?? defaults.kubernetes, runtime: runtime, cni: cni ?? defaults.cni)
        let problems = VersionRules.problems(os: os, versions: versions, packages: packages ?? PackageSources())
        for problem in problems {
            if let reader { reader.report(problem.key, problem.message) } else { spec.report("versions", problem.message) }
        }
        return problems.isEmpty ? versions : nil
    }

    private static func httpURL(_ reader: MappingReader, _ key: String, required: Bool) -> String? {
        guard let text = reader.string(key, required: required) else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            reader.report(key, "'\(reader.qualified(key))' must be an http or https URL, found '\(text)'")
            return nil
        }
        return text
    }
}

import Foundation
