/// Reads a `kind: Cluster` document.
struct ClusterParser {
    let document: MappingReader

    func parse() -> ClusterSpec? {
        let errorsBefore = document.sink.diagnostics.count
        let metadata = document.mapping("metadata", allowedKeys: ["name", "org"], required: true)
        let name = metadata?.name(rule: NameRules.clusterNameProblem)
        let org = metadata?.entityName("org", required: true)
        guard let spec = document.mapping("spec", allowedKeys: [
            "vdc", "template", "network", "master", "nodes", "storageProfile", "sshKey",
        ], required: true) else { return nil }

        let vdc = spec.entityName("vdc", required: true)
        let template = spec.string("template", required: true)
        if let template, let problem = NameRules.templateNameProblem(template) {
            spec.report("template", "'\(spec.qualified("template"))' '\(template)' \(problem)")
        }
        let network = spec.entityName("network")
        let master = spec.resources("master")
        let nodes = readNodes(spec)
        var storageProfile = spec.entityName("storageProfile")
        if storageProfile == "*" { storageProfile = nil }  // the seed's "any": the vdc's default
        let sshKey = spec.sshPublicKey("sshKey")

        guard document.sink.diagnostics.count == errorsBefore, let name, let org, let vdc, let template else { return nil }
        return ClusterSpec(name: name, org: org, vdc: vdc, template: template, network: network,
                           master: SizeOverride(cpu: master.cpu, memoryMB: master.memoryMB), nodes: nodes, storageProfile: storageProfile, sshKey: sshKey)
    }

    private func readNodes(_ spec: MappingReader) -> NodePool {
        guard let reader = spec.mapping("nodes", allowedKeys: ["count", "cpu", "memoryMB"]) else {
            return NodePool(count: 2)  // vcd-cli's default
        }
        let count = reader.int("count", required: true, range: ClusterSpec.nodeCountRange)
        return NodePool(count: count ?? 0, cpu: reader.int("cpu", range: VMResources.cpuRange), memoryMB: reader.memory("memoryMB"))
    }
}
