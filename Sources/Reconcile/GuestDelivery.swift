import Bootstrap
import Observe
import Spec
import Store
import VCDClient

/// The one step cloud-init images add to the executor: the bootstrap's user data goes into the VM's extra config
/// before its first power-on (as CAPVCD does), then the VM starts. Safe to repeat: the same values are set again.
extension ActionRunner {
    func startGuest(vmHref: String, bootstrap: GuestBootstrap?) async throws {
        if let bootstrap, !bootstrap.extraConfig.isEmpty {
            try await wait(session.setExtraConfig(vmHref: vmHref, bootstrap.extraConfig))
        }
        try await wait(session.powerOn(vmHref))
    }

    /// Powers on a VM of `object` (a cluster or a template build). A cloud-init VM that never got its user data
    /// (an earlier run stopped between creating and starting it) gets it first; one that has it just starts.
    func powerOnGuest(vmHref: String, object: ObjectKey) async throws {
        let vm = try await session.get(vmHref)
        guard VMDocument.extraConfig(of: vm)[CloudInitUserData.userDataKey] == nil,
              let stored = try store.object(object) else {
            try await wait(session.powerOn(vmHref))
            return
        }
        var bootstrap: GuestBootstrap?
        switch stored.object {
        case .template(let template) where template.os.hasCloudInit:
            do {
                bootstrap = try scripts.templateBootstrap(for: template)
            } catch {
                throw ExecutionError.permanent("template \(template.name): rootPassword: \(error)")
            }
        case .cluster(let cluster):
            guard let template = try templateSpec(named: cluster.template), template.os.hasCloudInit else { break }
            let name = vm["name"] ?? ""
            let role: GuestContract.Role = name == Naming.masterVM(cluster: cluster.name) ? .master : .node
            var join: JoinInfo?
            if role == .node, let vAppHref = vm.link(rel: "up")?.href {
                join = try await joinInfo(vApp: try await session.get(vAppHref), cluster: cluster.name)
            }
            bootstrap = scripts.clusterBootstrap(cluster: cluster, template: template, role: role, vmName: name, join: join)
        default:
            break
        }
        try await startGuest(vmHref: vmHref, bootstrap: bootstrap)
    }
}
