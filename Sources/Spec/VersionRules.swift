/// Which combinations of OS, Kubernetes, container runtime and CNI cse can install, and why not the others.
/// Facts: pkgs.k8s.io serves Kubernetes from v1.24 (Kubernetes blog, legacy package repository deprecation, 2023-08 and
/// 2024-03); dockershim was removed in 1.24; cgroup v2 (Ubuntu 22.04+, Photon 5) is supported by kubelet from 1.25;
/// Kubernetes 1.26 removed CRI v1alpha2, which containerd before 1.6 needs; Calico's release notes list the Kubernetes
/// versions each release is tested with; Weave Net's manifest service is gone with Weaveworks (2024).
public enum VersionRules {
    /// A refused combination: the key under `versions` (or `packages`) it is reported at, and why.
    public struct Problem: Hashable, Sendable {
        public var key: String
        public var message: String
    }

    /// The first Kubernetes minor release pkgs.k8s.io serves.
    public static let firstPublicMinor = 24

    /// Kubernetes minor releases each Calico release is tested with (Calico's "system requirements" per release).
    static let calicoKubernetes: [String: ClosedRange<Int>] = ["3.28": 27...30, "3.29": 29...31]

    public static func problems(os: OperatingSystem, versions: SoftwareVersions, packages: PackageSources) -> [Problem] {
        guard let kubernetes = versions.kubernetesVersion else {
            return [Problem(key: "kubernetes", message: "'versions.kubernetes' must be a release like 1.31.4, found '\(versions.kubernetes)'")]
        }
        var problems: [Problem] = []
        if !kubernetes.isAtLeast(1, 22) && (kubernetes.minor > 10 || kubernetes.minor < 7 || kubernetes.major != 1) {
            problems.append(Problem(key: "kubernetes", message: "cse configures kubeadm 1.7 to 1.10 (v1alpha1) and 1.22 or later "
                + "(v1beta3, v1beta4); Kubernetes \(kubernetes.minorRelease) is neither"))
        }
        let modern = kubernetes.isAtLeast(1, firstPublicMinor)
        if !modern && packages.mirror == nil {
            problems.append(Problem(key: "kubernetes", message: "Kubernetes \(kubernetes.minorRelease) has no public package source "
                + "(pkgs.k8s.io starts at 1.\(firstPublicMinor)); set `packages.mirror`"))
        }
        if os.isLegacy && modern {
            problems.append(Problem(key: "kubernetes", message: "\(os) templates run Docker and Kubernetes before 1.24; "
                + "Kubernetes \(kubernetes.minorRelease) needs ubuntu 22.04 or 24.04 or photon 5.0"))
        }
        if !os.isLegacy && !kubernetes.isAtLeast(1, 25) {
            problems.append(Problem(key: "kubernetes", message: "\(os) uses cgroup v2, which kubelet supports from Kubernetes 1.25; "
                + "found \(kubernetes)"))
        }
        switch versions.runtime {
        case .docker where modern:
            problems.append(Problem(key: "docker", message: "Kubernetes 1.24 removed dockershim: Kubernetes \(kubernetes.minorRelease) "
                + "runs on containerd; set `versions.containerd` instead of `versions.docker`"))
        case .containerd where !modern:
            problems.append(Problem(key: "containerd", message: "cse installs Kubernetes before 1.24 with Docker; set `versions.docker`"))
        case .containerd(let version):
            let parts = version.split(separator: ".").compactMap { Int($0) }
            if parts.count < 2 || !isDotted(version) {
                problems.append(Problem(key: "containerd", message: "'versions.containerd' must be a release like 1.7.24, found '\(version)'"))
            } else if kubernetes.isAtLeast(1, 26) && (parts[0], parts[1]) < (1, 6) {
                problems.append(Problem(key: "containerd", message: "Kubernetes 1.26 and later need containerd 1.6 or newer (CRI v1); "
                    + "found \(version)"))
            }
        case .docker:
            break
        }
        problems += cniProblems(versions.cni, kubernetes: kubernetes)
        return problems
    }

    private static func cniProblems(_ cni: CNIManifest, kubernetes: KubernetesVersion) -> [Problem] {
        var problems: [Problem] = []
        if !isDotted(cni.version) {
            problems.append(Problem(key: "cni", message: "'versions.cni.version' must be a release like 3.29.1, found '\(cni.version)'"))
            return problems
        }
        if let sha256 = cni.sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
            problems.append(Problem(key: "cni", message: "'versions.cni.sha256' must be 64 hexadecimal digits"))
        }
        switch cni.plugin {
        case .weave:
            if kubernetes.isAtLeast(1, firstPublicMinor) {
                problems.append(Problem(key: "cni", message: "Weave Net is archived; Kubernetes \(kubernetes.minorRelease) templates use calico or flannel"))
            } else if cni.url == nil || cni.sha256 == nil {
                problems.append(Problem(key: "cni", message: "Weave Net's manifest service is gone; "
                    + "set `versions.cni.url` to your mirror's copy of the manifest and `versions.cni.sha256` to its digest"))
            }
        case .calico, .flannel:
            if cni.sha256 == nil && (cni.url != nil || CNIManifest.knownDigests[cni.plugin]?[cni.version] == nil) {
                problems.append(Problem(key: "cni", message: "cse knows no SHA-256 for \(cni.url ?? "\(cni)")'s manifest; "
                    + "pin `versions.cni.sha256` (sha256sum of the file you reviewed)"))
            }
            if cni.plugin == .calico {
                let minor = cni.version.split(separator: ".").prefix(2).joined(separator: ".")
                if let range = calicoKubernetes[minor], !range.contains(kubernetes.minor) {
                    problems.append(Problem(key: "cni", message: "Calico \(minor) is tested with Kubernetes 1.\(range.lowerBound) "
                        + "to 1.\(range.upperBound), not \(kubernetes.minorRelease)"))
                }
            }
        }
        return problems
    }

    static func isDotted(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (2...4).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
