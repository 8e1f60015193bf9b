import Spec

/// The container images `kubeadm init` needs, pulled while the template is built so clusters start without a registry.
/// From kubeadm's own list (`kubeadm config images pull`); the seed's kubeadm 1.7–1.10 had no such command, so their
/// images are listed here and pulled from the registry mirror, or registry.k8s.io (which serves the old images too).
struct ControlPlaneImages {
    let kubernetes: KubernetesVersion
    let packages: PackageSources

    /// Commands for the `images` phase.
    var pullCommands: String {
        if kubernetes.isAtLeast(1, 24) {
            return "kubeadm config images pull --kubernetes-version \(Shell.quoted(kubernetes.tag)) --cri-socket \(ContainerRuntimeSetup.socket)"
        }
        return legacyImages.map { "docker pull \(Shell.quoted($0))" }.joined(separator: "\n")
    }

    /// The image repository legacy masters are configured with (kubeadm's `imageRepository`).
    var legacyRepository: String {
        guard let mirror = packages.registryMirror, let host = mirror.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
        else { return "registry.k8s.io" }
        return String(host)
    }

    /// Images kubeadm 1.7 to 1.10 uses, with the etcd, DNS and pause versions each release shipped with.
    var legacyImages: [String] {
        let registry = legacyRepository
        let (etcd, dns, pause): (String, String, String)
        switch kubernetes.minor {
        case ...8: (etcd, dns, pause) = ("3.0.17", kubernetes.minor == 8 ? "1.14.5" : "1.14.4", "3.0")
        case 9: (etcd, dns, pause) = ("3.1.10", "1.14.7", "3.0")
        default: (etcd, dns, pause) = ("3.1.12", "1.14.8", "3.1")
        }
        let control = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"]
            .map { "\(registry)/\($0)-amd64:\(kubernetes.tag)" }
        let addons = ["k8s-dns-kube-dns", "k8s-dns-dnsmasq-nanny", "k8s-dns-sidecar"].map { "\(registry)/\($0)-amd64:\(dns)" }
        return control + ["\(registry)/etcd-amd64:\(etcd)", "\(registry)/pause-amd64:\(pause)"] + addons
    }
}
