import Spec

/// How a template OS installs the container runtime and the Kubernetes tools at the versions the template pins.
/// Kubernetes comes from pkgs.k8s.io (one repository per minor release, signed by its own key:
/// `https://pkgs.k8s.io/core:/stable:/v1.NN/deb/Release.key`, `.../rpm/repodata/repomd.xml.key`), containerd from
/// Docker's apt repository on Ubuntu (`containerd.io`) and from Photon's own repository; or everything from the
/// administrator's mirror (`packages.mirror`), the only source for the seed's Docker-era versions.
struct PackageInstall {
    let os: OperatingSystem
    let versions: SoftwareVersions
    let packages: PackageSources

    var kubernetes: KubernetesVersion { versions.kubernetesVersion ?? KubernetesVersion(major: 1, minor: 31, patch: 0) }

    static let kubernetesKeyring = "cse-kubernetes.gpg"
    static let runtimeKeyring = "cse-containerd.gpg"

    /// pkgs.k8s.io's repository for the template's minor release.
    var publicRepository: String { "https://pkgs.k8s.io/core:/stable:/v\(kubernetes.minorRelease)/\(os.family == .ubuntu ? "deb" : "rpm")/" }
    var publicKey: String { os.family == .ubuntu ? publicRepository + "Release.key" : publicRepository + "repodata/repomd.xml.key" }

    /// Docker's apt repo writes "17.09.0-ce" as "17.09.0~ce-0~ubuntu"; Photon packages it as plain "17.06.0". A version
    /// already in repository form is kept.
    var dockerPackageVersion: String {
        let docker = versions.runtime.version
        switch os.family {
        case .ubuntu:
            guard !docker.contains("~"), !docker.contains(":"), docker.hasSuffix("-ce") else { return docker }
            return "\(docker.dropLast(3))~ce-0~ubuntu"
        case .photon:
            return docker.hasSuffix("-ce") ? String(docker.dropLast(3)) : docker
        }
    }

    /// An apt version pattern: pkgs.k8s.io revisions look like "1.31.4-1.1", the seed's repository used "1.8.2-00"; a
    /// version given with its revision is kept.
    func aptVersion(_ version: String) -> String {
        let bare = version.hasPrefix("v") ? String(version.dropFirst()) : version
        return bare.contains("-") ? bare : "\(bare)-*"
    }

    var packageNames: [String] {
        switch (os.family, versions.runtime) {
        case (.ubuntu, .containerd): return ["containerd.io", "kubelet", "kubeadm", "kubectl"]
        case (.ubuntu, .docker): return ["docker-ce", "kubelet", "kubeadm", "kubectl"]
        case (.photon, .containerd): return ["containerd", "kubelet", "kubeadm", "kubectl", "cri-tools"]
        case (.photon, .docker): return ["docker", "kubernetes", "kubernetes-kubeadm"]
        }
    }

    /// The pinned package arguments of the install command.
    var pinnedPackages: [String] {
        let k8s = versions.kubernetes.hasPrefix("v") ? String(versions.kubernetes.dropFirst()) : versions.kubernetes
        switch (os.family, versions.runtime) {
        case (.ubuntu, .containerd(let containerd)):
            return ["containerd.io=\(aptVersion(containerd))"] + ["kubelet", "kubeadm", "kubectl"].map { "\($0)=\(aptVersion(k8s))" }
        case (.ubuntu, .docker):
            return ["docker-ce=\(dockerPackageVersion)"] + ["kubelet", "kubeadm", "kubectl"].map { "\($0)=\(aptVersion(k8s))" }
        case (.photon, .containerd(let containerd)):
            return ["containerd-\(containerd)"] + ["kubelet", "kubeadm", "kubectl"].map { "\($0)-\(k8s)" } + ["cri-tools"]
        case (.photon, .docker):
            return ["docker-\(dockerPackageVersion)", "kubernetes-\(k8s)", "kubernetes-kubeadm-\(k8s)"]
        }
    }

    /// Commands for the `packages` phase.
    var commands: String {
        switch os.family {
        case .ubuntu: return ubuntu
        case .photon: return photon
        }
    }

    /// Removes package caches before capture.
    var cleanup: String {
        switch os.family {
        case .ubuntu: return "apt-get clean"
        case .photon: return "tdnf clean all"
        }
    }

    private var ubuntu: String {
        var lines = [
            "export DEBIAN_FRONTEND=noninteractive",
            "apt-get update -q",
            "apt-get install -y -q apt-transport-https ca-certificates curl gpg",
            "mkdir -p \"$keyring_dir\" \"$apt_sources_dir\"",
        ]
        if let mirror = packages.mirror {
            lines += aptSource(name: "cse-kubernetes", keyring: Self.kubernetesKeyring, key: mirror.key, line: "\(mirror.url) /")
        } else {
            lines += aptSource(name: "cse-kubernetes", keyring: Self.kubernetesKeyring, key: publicKey, line: "\(publicRepository) /")
            lines += aptSource(name: "cse-containerd", keyring: Self.runtimeKeyring, key: "https://download.docker.com/linux/ubuntu/gpg",
                               line: "https://download.docker.com/linux/ubuntu \(os.ubuntuCodename) stable")
        }
        lines += [
            "apt-get update -q",
            "apt-get install -y -q \(pinnedPackages.map(Shell.quoted).joined(separator: " "))",
            "# Clusters must keep the versions the template was built with.",
            "apt-mark hold \(packageNames.joined(separator: " "))",
        ]
        return lines.joined(separator: "\n")
    }

    /// A signed apt source: the key de-armoured into its own keyring, named by `signed-by`.
    private func aptSource(name: String, keyring: String, key: String, line: String) -> [String] {
        [
            "curl -fsSL \(Shell.quoted(key)) | gpg --dearmor --yes -o \"${keyring_dir}/\(keyring)\"",
            "echo \"deb [signed-by=${keyring_dir}/\(keyring)] \(line)\" >\"${apt_sources_dir}/\(name).list\"",
        ]
    }

    private var photon: String {
        let repository = packages.mirror?.url ?? publicRepository
        let key = packages.mirror?.key ?? publicKey
        return """
            mkdir -p "$yum_repos_dir"
            cat >"${yum_repos_dir}/cse-kubernetes.repo" <<'CSE_REPO'
            [cse-kubernetes]
            name=Kubernetes \(kubernetes.minorRelease) (cse)
            baseurl=\(repository)
            enabled=1
            gpgcheck=1
            gpgkey=\(key)
            CSE_REPO
            tdnf makecache
            tdnf install -y \(pinnedPackages.map(Shell.quoted).joined(separator: " "))
            # Photon's firewall drops inbound traffic by default; the API server, kubelet and the CNI need it open.
            cat >"${systemd_dir}/cse-iptables-accept.service" <<'CSE_UNIT'
            [Unit]
            Description=cse: accept traffic for Kubernetes
            After=iptables.service
            Before=\(ContainerRuntimeSetup(versions: versions, packages: packages).unit).service kubelet.service

            [Service]
            Type=oneshot
            ExecStart=/usr/sbin/iptables -P INPUT ACCEPT
            ExecStart=/usr/sbin/iptables -P FORWARD ACCEPT
            ExecStart=/usr/sbin/iptables -P OUTPUT ACCEPT
            RemainAfterExit=yes

            [Install]
            WantedBy=multi-user.target
            CSE_UNIT
            systemctl daemon-reload
            systemctl enable cse-iptables-accept.service
            """
    }
}
