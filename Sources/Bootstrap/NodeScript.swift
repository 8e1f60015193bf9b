import Foundation
import Spec

/// A node's script: joins the cluster with the join command the master published, carried in
/// `GuestContract.joinVariable` as base64 (decoded into words, never `eval`ed). From Kubernetes 1.22 the words become
/// a `JoinConfiguration` file; the seed's releases run `kubeadm join` with them.
struct NodeScript {
    let cluster: ClusterSpec
    let template: TemplateSpec?
    let vmName: String
    let join: JoinInfo?

    var text: String {
        let phases = GuestContract.phases(for: .node)
        let encoded = join.map { Data($0.command.utf8).base64EncodedString() } ?? ""
        return ScriptPrelude.text(
            role: .node,
            summary: "node \(vmName) of cluster \(cluster.name)",
            paths: [ScriptPaths.rootHome, ScriptPaths.kubernetesDir, ScriptPaths.cseDir],
            helpers: ClusterVMSetup.helpers(cluster: cluster)
        ) + """
            \(GuestContract.joinVariable)='\(encoded)'

            cse_begin_phase \(phases[0])
            \(ClusterVMSetup.initCommands(cluster: cluster, template: template))

            cse_begin_phase \(phases[1])
            if [[ -z $\(GuestContract.joinVariable) ]]; then
              cse_abort "the script carries no join command"
            fi
            join_command=$(printf '%s' "$\(GuestContract.joinVariable)" | base64 -d)
            read -r -a join_words <<<"$join_command"
            if [[ ${#join_words[@]} -lt 3 || ${join_words[0]} != kubeadm || ${join_words[1]} != join ]]; then
              cse_abort "the join command is not a kubeadm join"
            fi
            mkdir -p "$kubernetes_dir"
            \(joinCommands)
            \(StatusReset.markBootstrapped)

            """ + ScriptPrelude.finish
    }

    private var joinCommands: String {
        if let kubernetes = template?.versions.kubernetesVersion, !kubernetes.isAtLeast(1, 22) {
            return "kubeadm \"${join_words[@]:1}\""
        }
        let kubernetes = template?.versions.kubernetesVersion ?? KubernetesVersion(major: 1, minor: 31, patch: 0)
        return KubeadmConfig(kubernetes: kubernetes, podSubnet: "", imageRepository: nil).joinCommands
    }
}
