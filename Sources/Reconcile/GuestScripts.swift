import Observe
import Spec

/// The customization scripts new VMs get. The bootstrap module supplies the real ones; a provider is
/// injected so the executor does not depend on how scripts are made.
public protocol GuestScriptProvider: Sendable {
    /// Script for the template's build VM (install, pre-pull, prepare for capture).
    func buildScript(for template: TemplateSpec) -> String
    /// Script for a cluster VM of `role`.
    func clusterScript(cluster: ClusterSpec, role: Naming.Role, vmName: String) -> String
}
