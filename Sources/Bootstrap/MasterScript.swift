import Spec

/// The master's script: `kubeadm init`, Weave, then publishing the join command and the admin kubeconfig.
struct MasterScript {
    let cluster: ClusterSpec
    /// The spec the cluster's template was built from; nil when only the captured item is known.
    let template: TemplateSpec?
    let vmName: String
    /// The installation's public key the master seals its join command and kubeconfig to.
    let sealingKey: GuestContract.SealingKey

    var text: String {
        let phases = GuestContract.phases(for: .master)
        return ScriptPrelude.text(
            role: .master,
            summary: "master \(vmName) of cluster \(cluster.name) (\(cluster.nodes.count) nodes)",
            paths: [ScriptPaths.kubernetesDir, ScriptPaths.rootHome, ScriptPaths.systemdDir, ScriptPaths.binDir],
            helpers: ClusterVMSetup.helpers(cluster: cluster)
        ) + """
            admin_conf="\(ScriptPaths.adminConf)"

            cse_begin_phase \(phases[0])
            \(ClusterVMSetup.initCommands(cluster: cluster))

            cse_begin_phase \(phases[1])
            # kubeadm prints a join command with a token: those lines stay out of the log. (Not a pipeline: a failure
            # must be reported as kubeadm's, not the filter's.)
            kubeadm init \(initArguments) > >(sed -e '/--token/d' -e '/kubeadm join/d') 2>&1
            mkdir -p "${root_home}/.kube"
            install -m 600 "$admin_conf" "${root_home}/.kube/config"

            cse_begin_phase \(phases[2])
            \(weaveCommands)
            \(untaintCommands)

            cse_begin_phase \(phases[3])
            \(JoinRefresh.installCommands(sealingKey: sealingKey))

            """ + ScriptPrelude.finish
    }

    private var kubernetes: KubernetesVersion? { template.flatMap { KubernetesVersion($0.versions.kubernetes) } }

    var initArguments: String {
        var arguments: [String] = []
        if let kubernetes {
            arguments.append("--kubernetes-version=\(Shell.quoted(kubernetes.tag))")
        } else {
            // Without the template's spec, the kubeadm in the image decides; never a version looked up online.
            arguments.append(#"--kubernetes-version="$(kubeadm version -o short)""#)
        }
        if let template, template.os.family == .photon, template.os.version == "1.0" {
            // Photon 1.0's kernel fails kubeadm's preflight checks; Weave's default pod range is given explicitly.
            arguments += ["--pod-network-cidr=10.244.0.0/16", "--skip-preflight-checks"]
        }
        return arguments.joined(separator: " ")
    }

    private var weaveCommands: String {
        var lines: [String] = []
        if let weave = template?.versions.weave {
            let download = WeaveManifest.download(weaveVersion: weave).split(separator: "\n").map { "  " + $0 }
            lines += ["if [[ ! -s \"\(ScriptPaths.weaveManifest)\" ]]; then"] + download + ["fi"]
        }
        lines.append("kubectl --kubeconfig \"$admin_conf\" apply -f \"\(ScriptPaths.weaveManifest)\"")
        return lines.joined(separator: "\n")
    }

    /// A cluster without nodes runs its workloads on the master.
    var untaintCommands: String {
        guard cluster.nodes.count == 0 else { return "# nodes run the workloads: the master keeps its taint" }
        return masterTaints.map { "kubectl --kubeconfig \"$admin_conf\" taint nodes --all \($0)-" }.joined(separator: "\n")
    }

    /// kubeadm taints masters `node-role.kubernetes.io/master` until 1.24, both taints in 1.24, `control-plane` after.
    private var masterTaints: [String] {
        let master = "node-role.kubernetes.io/master", controlPlane = "node-role.kubernetes.io/control-plane"
        guard let kubernetes else { return [master] }
        if kubernetes.isAtLeast(1, 25) { return [controlPlane] }
        if kubernetes.isAtLeast(1, 24) { return [master, controlPlane] }
        return [master]
    }
}
