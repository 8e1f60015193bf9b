import Foundation
import Spec

/// The `init` phase both cluster roles share: tools present, tenant's ssh key, the container runtime up.
enum ClusterVMSetup {
    static func helpers(cluster: ClusterSpec) -> [ScriptHelper] {
        [.requireCommands, .waitActive] + (tenantKey(cluster) == nil ? [] : [.authorizeKey])
    }

    static func initCommands(cluster: ClusterSpec, template: TemplateSpec?) -> String {
        let runtime = template.map { ContainerRuntimeSetup(versions: $0.versions, packages: $0.packages).unit }
        var lines = [
            "cse_require_commands kubeadm kubectl systemctl base64 sha256sum",
            runtime.map { "cse_wait_active \($0)" } ?? """
                if systemctl is-enabled --quiet containerd; then
                  cse_wait_active containerd
                else
                  cse_wait_active docker
                fi
                """,
            "systemctl enable kubelet",
        ]
        if let key = tenantKey(cluster) {
            lines.append("cse_authorize_key \(Shell.quoted(Shell.commentSafe(key)))")
        }
        return lines.joined(separator: "\n")
    }

    private static func tenantKey(_ cluster: ClusterSpec) -> String? {
        guard let key = cluster.sshKey?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else { return nil }
        return key
    }
}
