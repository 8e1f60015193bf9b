import Spec

/// kubeadm's configuration file for `kubeadm init --config` and `kubeadm join --config`. The API version follows
/// kubeadm's documentation: `kubeadm.k8s.io/v1beta4` from Kubernetes 1.31, `v1beta3` from 1.22 to 1.30, and the seed's
/// `v1alpha1` `MasterConfiguration` for 1.7 to 1.10 (other releases are refused by `VersionRules`).
struct KubeadmConfig {
    let kubernetes: KubernetesVersion
    let podSubnet: String
    let imageRepository: String?

    var apiVersion: String {
        if kubernetes.isAtLeast(1, 31) { return "kubeadm.k8s.io/v1beta4" }
        if kubernetes.isAtLeast(1, 22) { return "kubeadm.k8s.io/v1beta3" }
        return "kubeadm.k8s.io/v1alpha1"
    }

    var isLegacy: Bool { !kubernetes.isAtLeast(1, 22) }

    /// Commands that write the `kubeadm init` configuration (nothing secret in it).
    var writeInitConfig: String {
        let body: String
        if isLegacy {
            body = """
                apiVersion: \(apiVersion)
                kind: MasterConfiguration
                kubernetesVersion: \(kubernetes.tag)
                imageRepository: \(imageRepository ?? "registry.k8s.io")
                networking:
                  podSubnet: \(podSubnet)
                """
        } else {
            body = """
                apiVersion: \(apiVersion)
                kind: InitConfiguration
                nodeRegistration:
                  criSocket: \(ContainerRuntimeSetup.socket)
                ---
                apiVersion: \(apiVersion)
                kind: ClusterConfiguration
                kubernetesVersion: \(kubernetes.tag)
                \(imageRepository.map { "imageRepository: \($0)\n" } ?? "")networking:
                  podSubnet: \(podSubnet)
                ---
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                cgroupDriver: systemd
                """
        }
        return "cat >\"\(ScriptPaths.kubeadmConfig)\" <<'CSE_YAML'\n\(body)\nCSE_YAML"
    }

    /// Commands that turn the published join command (in `join_words`) into a `JoinConfiguration` and join with it.
    /// The file holds the token: root-only, removed after the join.
    var joinCommands: String {
        """
        api_endpoint=${join_words[2]}
        token="" ca_hash=""
        for ((i = 3; i + 1 < ${#join_words[@]}; i++)); do
          case ${join_words[i]} in
            --token) token=${join_words[i + 1]} ;;
            --discovery-token-ca-cert-hash) ca_hash=${join_words[i + 1]} ;;
          esac
        done
        if [[ -z $token || -z $ca_hash ]]; then
          cse_abort "the join command carries no token or CA hash"
        fi
        umask 077
        cat >"\(ScriptPaths.kubeadmConfig)" <<CSE_YAML
        apiVersion: \(apiVersion)
        kind: JoinConfiguration
        nodeRegistration:
          criSocket: \(ContainerRuntimeSetup.socket)
        discovery:
          bootstrapToken:
            apiServerEndpoint: ${api_endpoint}
            token: ${token}
            caCertHashes:
            - ${ca_hash}
        CSE_YAML
        kubeadm join --config "\(ScriptPaths.kubeadmConfig)"
        rm -f "\(ScriptPaths.kubeadmConfig)"
        """
    }
}
