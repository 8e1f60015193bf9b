import Spec

/// The bash scripts cse hands vCD as guest customization scripts, generated from the specs. They follow
/// `GuestContract`: each reports its phases, `done` at the end, or `failed` with a one-line reason.
/// (Reconcile makes this a `GuestScriptProvider`.)
public struct BootstrapScripts: Sendable {
    /// The installation's current public key: masters seal what they publish to it.
    public let sealingKey: GuestContract.SealingKey

    public init(sealingKey: GuestContract.SealingKey) {
        self.sealingKey = sealingKey
    }

    /// Script for the template's build VM (install, pre-pull, prepare for capture).
    public func buildScript(for template: TemplateSpec) -> String {
        TemplateScript(template: template).text
    }

    /// Script for a cluster VM; `join` is the master's current join information, which nodes need.
    public func clusterScript(cluster: ClusterSpec, template: TemplateSpec?, role: GuestContract.Role, vmName: String,
                              join: JoinInfo?) -> String {
        switch role {
        case .master:
            return MasterScript(cluster: cluster, template: template, vmName: vmName, sealingKey: sealingKey).text
        case .node:
            return NodeScript(cluster: cluster, vmName: vmName, join: join).text
        case .template:
            if let template { return buildScript(for: template) }
            return Self.refusal(role: role, vmName: vmName, reason: "a template build needs the template's spec")
        }
    }

    /// A script that only reports `failed` with `reason`, for requests no script can satisfy.
    static func refusal(role: GuestContract.Role, vmName: String, reason: String) -> String {
        ScriptPrelude.text(role: role, summary: "\(vmName): cannot be bootstrapped", paths: [])
            + "cse_begin_phase \(GuestContract.phases(for: role)[0])\ncse_abort \(Shell.quoted(Shell.commentSafe(reason)))\n"
    }
}
