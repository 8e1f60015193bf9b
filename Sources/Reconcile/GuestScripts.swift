import Bootstrap
import Observe
import Spec

/// The customization scripts new VMs get. Bootstrap supplies the real ones; a provider is injected so
/// the executor does not depend on how scripts are made.
public protocol GuestScriptProvider: Sendable {
    /// Script for the template's build VM (install, pre-pull, prepare for capture).
    func buildScript(for template: TemplateSpec) -> String
    /// Script for a cluster VM. `template` is the spec the cluster's template was built from (nil when only the
    /// captured item is known); `join` is the master's current join information, required for nodes.
    func clusterScript(cluster: ClusterSpec, template: TemplateSpec?, role: GuestContract.Role, vmName: String, join: JoinInfo?) -> String
}

extension BootstrapScripts: GuestScriptProvider {}
