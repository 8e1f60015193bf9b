import Bootstrap
import Observe
import Spec

/// How new VMs are bootstrapped. Bootstrap supplies the real ones; a provider is injected so the executor does not
/// depend on how scripts are made.
public protocol GuestScriptProvider: Sendable {
    /// The template build VM's bootstrap. Throws when a secret it needs (the root password) cannot be read.
    func templateBootstrap(for template: TemplateSpec) throws -> GuestBootstrap
    /// A cluster VM's bootstrap. `template` is the spec the cluster's template was built from (nil when only the
    /// captured item is known); `join` is the master's current join information, required for nodes.
    func clusterBootstrap(cluster: ClusterSpec, template: TemplateSpec?, role: GuestContract.Role, vmName: String, join: JoinInfo?) -> GuestBootstrap
}

extension BootstrapScripts: GuestScriptProvider {}
