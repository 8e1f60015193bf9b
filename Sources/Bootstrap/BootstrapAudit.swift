import Foundation
import Spec

/// What `cse bootstrap show` prints: exactly what a VM of a role gets (the extra config with the cloud-config, or
/// the customization script), with the script in clear, secrets masked.
public enum BootstrapAudit {
    /// The join command shown for nodes: a real one carries a token, which is a secret.
    public static let maskedJoin = JoinInfo(command: "kubeadm join MASTER:6443 --token \(RootPassword.mask) "
                                                + "--discovery-token-ca-cert-hash sha256:\(RootPassword.mask)", expires: nil)

    /// Masters carry the installation's current public key (public, not a secret); shown as a placeholder here.
    static let shownSealingKey = GuestContract.SealingKey(
        id: "INSTALLATION-KEY-ID", publicKeyPEM: "-----BEGIN PUBLIC KEY-----\n(the installation's current public key, cse keys list)\n-----END PUBLIC KEY-----")

    public static func render(template: TemplateSpec, role: GuestContract.Role) -> String {
        let scripts = BootstrapScripts(sealingKey: shownSealingKey)
        let bootstrap: GuestBootstrap
        switch role {
        case .template:
            bootstrap = scripts.maskedTemplateBootstrap(for: template)
        case .master, .node:
            let cluster = ClusterSpec(name: "example", org: "org", vdc: "vdc", template: template.name, nodes: NodePool(count: 2))
            bootstrap = scripts.clusterBootstrap(cluster: cluster, template: template, role: role,
                                                 vmName: role == .master ? "example-m" : "example-n1",
                                                 join: role == .node ? maskedJoin : nil)
        }
        var lines = [
            "# cse bootstrap of template \(template.name) (\(template.os), \(template.versions.summary)), role \(role.rawValue)",
            "# delivered as: \(bootstrap.delivery.rawValue)",
        ]
        if role == .template {
            lines.append("# root password: \(RootPassword.mask) (from \(template.rootPassword), its SHA-512 crypt hash only, set with chpasswd -e)")
        }
        if role != .template {
            lines.append("# shown for a cluster 'example' with 2 nodes\(role == .node ? "; the join token is masked" : "")")
        }
        switch bootstrap.delivery {
        case .cloudInit:
            lines.append("# VM extra config set before power-on:")
            for entry in bootstrap.extraConfig {
                lines.append("#   \(entry.key) = " + (entry.key == CloudInitUserData.userDataKey ? "base64 of the cloud-config below" : entry.value))
            }
            lines.append("# ---- cloud-config ----")
            lines.append(CloudInitUserData.cloudConfig(script: bootstrap.script).trimmingCharacters(in: .newlines))
            lines.append("# ---- \(CloudInitUserData.scriptPath) (the write_files content above, decoded) ----")
        case .customizationScript:
            lines.append("# ---- guest customization script ----")
        }
        return lines.joined(separator: "\n") + "\n" + bootstrap.script
    }
}
