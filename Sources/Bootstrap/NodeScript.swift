import Foundation
import Spec

/// A node's script: joins the cluster with the join command the master published, carried in
/// `GuestContract.joinVariable` as base64 (decoded into words and run without `eval`).
struct NodeScript {
    let cluster: ClusterSpec
    let vmName: String
    let join: JoinInfo?

    var text: String {
        let phases = GuestContract.phases(for: .node)
        let encoded = join.map { Data($0.command.utf8).base64EncodedString() } ?? ""
        return ScriptPrelude.text(
            role: .node,
            summary: "node \(vmName) of cluster \(cluster.name)",
            paths: [ScriptPaths.rootHome],
            helpers: ClusterVMSetup.helpers(cluster: cluster)
        ) + """
            \(GuestContract.joinVariable)='\(encoded)'

            cse_begin_phase \(phases[0])
            \(ClusterVMSetup.initCommands(cluster: cluster))

            cse_begin_phase \(phases[1])
            if [[ -z $\(GuestContract.joinVariable) ]]; then
              cse_abort "the script carries no join command"
            fi
            join_command=$(printf '%s' "$\(GuestContract.joinVariable)" | base64 -d)
            read -r -a join_words <<<"$join_command"
            if [[ ${#join_words[@]} -lt 3 || ${join_words[0]} != kubeadm || ${join_words[1]} != join ]]; then
              cse_abort "the join command is not a kubeadm join"
            fi
            kubeadm "${join_words[@]:1}"

            """ + ScriptPrelude.finish
    }
}
