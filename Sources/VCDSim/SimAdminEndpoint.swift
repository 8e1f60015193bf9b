import Foundation

/// `/sim/...`: the simulator's own controls for tests and benchmarks (counters, fault rules, session expiry,
/// an inventory audit). Not part of the vCloud API; listens on loopback only.
extension Simulator {
    func adminEndpoint(_ request: SimRequest) throws -> SimResponse {
        switch (request.method, request.path) {
        case ("GET", "/sim/counters"): return .json(200, counters)
        case ("DELETE", "/sim/counters"):
            counters = [:]
            return SimResponse(status: 204)
        case ("GET", "/sim/faults"): return .json(200, ["rules": faults.summary()])
        case ("PUT", "/sim/faults"):
            struct Body: Decodable {
                var faults: [FaultRule]
                var seed: UInt64?
            }
            let body: Body
            do {
                body = try JSONDecoder().decode(Body.self, from: request.body)
            } catch {
                return .json(400, ["message": "expected {\"faults\": [...], \"seed\": N}: \(error)"])
            }
            faults.replace(body.faults, seed: body.seed)
            return .json(200, ["rules": faults.summary()])
        case ("POST", "/sim/sessions/expire"):
            expireSessions()
            return SimResponse(status: 204)
        case ("GET", "/sim/inventory"): return .json(200, audit())
        case ("GET", "/sim/writes"): return .json(200, ["writes": writeLog.entries.map(\.json)])
        // The same audit, also looking for secrets the caller names in the body (`{"knownSecrets": [...]}`, a
        // template's root password): in a body, never a URL; the answer says where, never the value.
        case ("POST", "/sim/inventory"):
            struct Body: Decodable { var knownSecrets: [String] }
            guard let body = try? JSONDecoder().decode(Body.self, from: request.body) else {
                return .json(400, ["message": "expected {\"knownSecrets\": [\"...\"]}"])
            }
            return .json(200, audit(knownSecrets: body.knownSecrets))
        // Which cloud this is: lets a second cse process in the same folder use a running embedded simulator.
        case ("GET", "/sim/state"): return .json(200, ["stateFile": options.stateFile ?? ""])
        default: return .json(404, ["message": "no such simulator endpoint: \(request.method) \(request.path)"])
        }
    }

    /// The audit as JSON (what `GET /sim/inventory` answers).
    /// `knownSecrets` (a template's root password, say) are looked for too, in every decoded layer; never printed.
    public func auditJSON(knownSecrets: [String] = []) -> Data {
        (try? JSONSerialization.data(withJSONObject: audit(knownSecrets: knownSecrets), options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// What the cloud holds, for tests to check: vApps with their VMs and addresses, and anything suspicious.
    func audit(knownSecrets: [String] = []) -> [String: Any] {
        var problems: [String] = []
        var vApps: [[String: Any]] = []
        for vApp in state.vApps.values.sorted(by: { ($0.org, $0.name) < ($1.org, $1.name) }) {
            let vms = state.vmsOf(vApp: vApp.id)
            let names = vms.map(\.name)
            if Set(names).count != names.count { problems.append("vApp \(vApp.name) has VMs with the same name") }
            vApps.append([
                "name": vApp.name, "org": state.orgs[vApp.org]?.name ?? "", "vdc": state.vdcs[vApp.vdc]?.name ?? "", "status": state.status(ofVApp: vApp),
                "metadata": state.generalMetadata(vApp.id), "systemMetadata": systemValues(vApp.id), "systemVisibility": systemVisibility(vApp.id),
                "vms": vms.map { vm in
                    ["name": vm.name, "status": vm.status, "ip": vm.ipAddress ?? "", "cpu": vm.cpu, "memoryMB": vm.memoryMB,
                     "guest": vm.extraConfig[Self.guestStatusKey] ?? "", "metadata": state.generalMetadata(vm.id),
                     "systemMetadata": systemValues(vm.id), "systemVisibility": systemVisibility(vm.id)] as [String: Any]
                },
            ])
        }
        var allocations: [[String: String]] = []
        for network in state.networks.values {
            for (address, holder) in network.allocated {
                if state.vms[holder] == nil { problems.append("address \(address) of network \(network.name) is held by a VM that no longer exists") }
                allocations.append(["network": network.name, "address": address, "vm": state.vms[holder]?.name ?? "?"])
            }
        }
        for vm in state.vms.values where state.vApps[vm.vApp] == nil { problems.append("VM \(vm.name) belongs to no vApp") }
        for vm in state.vms.values.sorted(by: { $0.name < $1.name }) {
            if let vApp = state.vApps[vm.vApp], vApp.org != vm.org { problems.append("VM \(vm.name) of one org is in vApp \(vApp.name) of another") }
        }
        // Tenants never see each other: a VM made from another org's catalog item that is not published to all orgs.
        for vm in state.vms.values.sorted(by: { $0.name < $1.name }) {
            guard let sourceOrg = vm.sourceOrg, sourceOrg != vm.org else { continue }
            let catalog = vm.sourceCatalog.flatMap { state.catalogs[$0] }
            if catalog?.published != true {
                problems.append("VM \(vm.name) of org \(state.orgs[vm.org]?.name ?? vm.org) was made from a template of org "
                                + "\(state.orgs[sourceOrg]?.name ?? sourceOrg) whose catalog \(catalog?.name ?? "?") is not published")
            }
        }
        let templates = state.catalogItems.values.map { item -> [String: Any] in
            ["name": item.name, "catalog": state.catalogs[item.catalog]?.name ?? "", "metadata": state.generalMetadata(item.id),
             "systemMetadata": systemValues(item.id), "systemVisibility": systemVisibility(item.id),
             "status": state.templates[item.template]?.status ?? -1]
        }
        return ["vApps": vApps, "addresses": allocations.sorted { $0["address"] ?? "" < $1["address"] ?? "" }, "catalogItems": templates,
                "runningTasks": state.tasks.values.filter { !$0.status.isFinished }.count, "problems": problems,
                // Secrets other users of an org could read (extra config, metadata): where and what kind, never the value.
                "secretsInClear": ClearTextSecretScan.findings(in: state, knownSecrets: knownSecrets),
                "extensions": state.extensions.values.map { ["name": $0.name, "routingKey": $0.routingKey, "exchange": $0.exchange] }]
    }

    /// SYSTEM-domain entries by key, and their visibilities: the audit's `metadata` is the GENERAL domain.
    private func systemValues(_ id: String) -> [String: String] { state.systemMetadata(id).mapValues(\.value) }
    private func systemVisibility(_ id: String) -> [String: String] { state.systemMetadata(id).mapValues(\.visibility) }

    static let guestStatusKey = "guestinfo.cse.bootstrap.status"
}
