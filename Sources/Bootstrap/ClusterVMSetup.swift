import Foundation
import Spec

/// The `init` phase both cluster roles share: tools present, tenant's ssh key, Docker up.
enum ClusterVMSetup {
    static func helpers(cluster: ClusterSpec) -> [ScriptHelper] {
        [.requireCommands, .waitActive] + (tenantKey(cluster) == nil ? [] : [.authorizeKey])
    }

    static func initCommands(cluster: ClusterSpec) -> String {
        var lines = [
            "cse_require_commands kubeadm kubectl systemctl base64",
            "cse_wait_active docker",
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
