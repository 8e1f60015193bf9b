import Spec

/// The bootstrap cse hands each VM, generated from the specs: a bash script following `GuestContract` (phases, `done`
/// at the end, or `failed` with a one-line reason), delivered as cloud-init user data where the image has cloud-init
/// and as a guest customization script elsewhere. (Reconcile makes this a `GuestScriptProvider`.)
public struct BootstrapScripts: Sendable {
    /// The installation's current public key: masters seal what they publish to it.
    public let sealingKey: GuestContract.SealingKey
    /// Where secrets (the template's root password) are read from.
    public var environment: [String: String]?

    /// `environment` nil reads the process environment.
    public init(sealingKey: GuestContract.SealingKey, environment: [String: String]? = nil) {
        self.sealingKey = sealingKey
        self.environment = environment
    }

    /// The template build VM's bootstrap. Throws `SecretError` when the root password cannot be read: before any vCD
    /// change is made with it. The script carries the password's SHA-512 crypt hash only (a fresh salt each time).
    public func templateBootstrap(for template: TemplateSpec) throws -> GuestBootstrap {
        let password = try environment.map { try template.rootPassword.resolve(environment: $0) } ?? template.rootPassword.resolve()
        return GuestBootstrap(delivery: Self.delivery(template),
                              script: TemplateScript(template: template, rootPassword: try RootPassword.hashing(password)).text)
    }

    /// The template build VM's bootstrap with its secrets masked, for `cse bootstrap show`.
    public func maskedTemplateBootstrap(for template: TemplateSpec) -> GuestBootstrap {
        GuestBootstrap(delivery: Self.delivery(template), script: TemplateScript(template: template, rootPassword: .masked).text)
    }

    /// A cluster VM's bootstrap; `join` is the master's current join information, which nodes need. Without the
    /// template's spec the VM gets a customization script (the image is not known to have cloud-init).
    public func clusterBootstrap(cluster: ClusterSpec, template: TemplateSpec?, role: GuestContract.Role, vmName: String,
                                 join: JoinInfo?) -> GuestBootstrap {
        let delivery = template.map(Self.delivery) ?? .customizationScript
        return GuestBootstrap(delivery: delivery, script: clusterScript(cluster: cluster, template: template, role: role, vmName: vmName, join: join))
    }

    /// The script of a cluster VM.
    public func clusterScript(cluster: ClusterSpec, template: TemplateSpec?, role: GuestContract.Role, vmName: String,
                              join: JoinInfo?) -> String {
        switch role {
        case .master:
            guard let template else {
                return Self.refusal(role: role, vmName: vmName, reason: "the spec of template '\(cluster.template)' is unknown")
            }
            return MasterScript(cluster: cluster, template: template, vmName: vmName, sealingKey: sealingKey).text
        case .node:
            return NodeScript(cluster: cluster, template: template, vmName: vmName, join: join).text
        case .template:
            return Self.refusal(role: role, vmName: vmName, reason: "a template build needs the template's spec")
        }
    }

    static func delivery(_ template: TemplateSpec) -> GuestBootstrap.Delivery {
        template.os.hasCloudInit ? .cloudInit : .customizationScript
    }

    /// A script that only reports `failed` with `reason`, for requests no script can satisfy.
    static func refusal(role: GuestContract.Role, vmName: String, reason: String) -> String {
        ScriptPrelude.text(role: role, summary: "\(vmName): cannot be bootstrapped", paths: [])
            + "cse_begin_phase \(GuestContract.phases(for: role)[0])\ncse_abort \(Shell.quoted(Shell.commentSafe(reason)))\n"
    }
}
