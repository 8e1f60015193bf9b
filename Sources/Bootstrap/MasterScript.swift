import Spec

/// The master's script: `kubeadm init` with cse's configuration file, the template's CNI manifest (checked), then
/// publishing the join command and the admin kubeconfig.
struct MasterScript {
    let cluster: ClusterSpec
    let template: TemplateSpec
    let vmName: String
    /// The installation's public key the master seals its join command and kubeconfig to.
    let sealingKey: GuestContract.SealingKey

    var text: String {
        let phases = GuestContract.phases(for: .master)
        return ScriptPrelude.text(
            role: .master,
            summary: "master \(vmName) of cluster \(cluster.name) (\(cluster.nodes.count) nodes), \(template.versions.summary)",
            paths: [ScriptPaths.kubernetesDir, ScriptPaths.rootHome, ScriptPaths.systemdDir, ScriptPaths.binDir, ScriptPaths.cseDir],
            helpers: ClusterVMSetup.helpers(cluster: cluster)
        ) + """
            admin_conf="\(ScriptPaths.adminConf)"

            cse_begin_phase \(phases[0])
            \(ClusterVMSetup.initCommands(cluster: cluster, template: template))

            cse_begin_phase \(phases[1])
            mkdir -p "$kubernetes_dir"
            \(kubeadm.writeInitConfig)
            # kubeadm prints a join command with a token: those lines stay out of the log. (Not a pipeline: a failure
            # must be reported as kubeadm's, not the filter's.)
            kubeadm init \(initArguments) > >(sed -e '/--token/d' -e '/kubeadm join/d') 2>&1
            mkdir -p "${root_home}/.kube"
            install -m 600 "$admin_conf" "${root_home}/.kube/config"

            cse_begin_phase \(phases[2])
            \(CNICommands.applyCommands(expected: template.versions.cni.sha256))
            \(untaintCommands)

            cse_begin_phase \(phases[3])
            \(JoinRefresh.installCommands(sealingKey: sealingKey))
            \(StatusReset.markBootstrapped)

            """ + ScriptPrelude.finish
    }

    private var kubernetes: KubernetesVersion {
        template.versions.kubernetesVersion ?? KubernetesVersion(major: 1, minor: 31, patch: 0)
    }

    var kubeadm: KubeadmConfig {
        let images = ControlPlaneImages(kubernetes: kubernetes, packages: template.packages)
        return KubeadmConfig(kubernetes: kubernetes, podSubnet: template.versions.cni.plugin.podSubnet,
                             imageRepository: kubeadmIsLegacy ? images.legacyRepository : nil)
    }

    private var kubeadmIsLegacy: Bool { !kubernetes.isAtLeast(1, 22) }

    var initArguments: String {
        var arguments = ["--config \"\(ScriptPaths.kubeadmConfig)\""]
        if template.os.family == .photon, template.os.version == "1.0" {
            // Photon 1.0's kernel fails kubeadm's preflight checks.
            arguments.append("--skip-preflight-checks")
        }
        return arguments.joined(separator: " ")
    }

    /// A cluster without nodes runs its workloads on the master.
    var untaintCommands: String {
        guard cluster.nodes.count == 0 else { return "# nodes run the workloads: the master keeps its taint" }
        return masterTaints.map { "kubectl --kubeconfig \"$admin_conf\" taint nodes --all \($0)-" }.joined(separator: "\n")
    }

    /// kubeadm taints masters `node-role.kubernetes.io/master` until 1.24, both taints in 1.24, `control-plane` after.
    private var masterTaints: [String] {
        let master = "node-role.kubernetes.io/master", controlPlane = "node-role.kubernetes.io/control-plane"
        if kubernetes.isAtLeast(1, 25) { return [controlPlane] }
        if kubernetes.isAtLeast(1, 24) { return [master, controlPlane] }
        return [master]
    }
}
