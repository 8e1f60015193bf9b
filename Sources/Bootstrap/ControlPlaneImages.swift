import Spec

/// The container images a master pulls during `kubeadm init` and Weave's images: pulled while the template is built
/// so clusters start without reaching a registry for them.
struct ControlPlaneImages {
    let kubernetes: KubernetesVersion
    let weave: String

    /// Commands for the `images` phase.
    var pullCommands: String {
        var lines: [String]
        if kubernetes.isAtLeast(1, 11) {
            // From 1.11 kubeadm knows its own image list.
            lines = ["kubeadm config images pull --kubernetes-version \(Shell.quoted(kubernetes.tag))"]
        } else {
            lines = legacyImages.map { "docker pull \(Shell.quoted($0))" }
        }
        lines += ["weave-kube", "weave-npc"].map { "docker pull \(Shell.quoted("weaveworks/\($0):\(weave)"))" }
        return lines.joined(separator: "\n")
    }

    /// Images kubeadm 1.7 to 1.10 uses, with the etcd, DNS and pause versions each release shipped with.
    var legacyImages: [String] {
        let registry = "gcr.io/google_containers"
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
