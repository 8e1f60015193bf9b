import Spec

/// How a template OS installs Docker and the Kubernetes tools at the versions the template pins.
struct PackageInstall {
    let os: OperatingSystem
    let versions: SoftwareVersions

    /// Docker's package version in the OS repository: Docker's apt repo writes "17.09.0-ce" as "17.09.0~ce-0~ubuntu";
    /// Photon packages it as plain "17.06.0". A version already in repository form is kept.
    var dockerPackageVersion: String {
        let docker = versions.docker
        switch os.family {
        case .ubuntu:
            guard !docker.contains("~"), !docker.contains(":"), docker.hasSuffix("-ce") else { return docker }
            return "\(docker.dropLast(3))~ce-0~ubuntu"
        case .photon:
            return docker.hasSuffix("-ce") ? String(docker.dropLast(3)) : docker
        }
    }

    /// The Kubernetes apt repo's package revision is "-00".
    var kubernetesPackageVersion: String {
        let kubernetes = versions.kubernetes.hasPrefix("v") ? String(versions.kubernetes.dropFirst()) : versions.kubernetes
        switch os.family {
        case .ubuntu: return kubernetes.contains("-") ? kubernetes : "\(kubernetes)-00"
        case .photon: return kubernetes
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
        let docker = Shell.quoted("docker-ce=\(dockerPackageVersion)")
        let tools = ["kubelet", "kubeadm", "kubectl"].map { Shell.quoted("\($0)=\(kubernetesPackageVersion)") }.joined(separator: " ")
        return """
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q
            apt-get install -y -q apt-transport-https ca-certificates curl
            curl -fsSL https://download.docker.com/linux/ubuntu/gpg | apt-key add -
            echo 'deb [arch=amd64] https://download.docker.com/linux/ubuntu xenial stable' >"${apt_sources_dir}/docker.list"
            curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg | apt-key add -
            echo 'deb http://apt.kubernetes.io/ kubernetes-xenial main' >"${apt_sources_dir}/kubernetes.list"
            apt-get update -q
            apt-get install -y -q \(docker) \(tools)
            # Clusters must keep the versions the template was built with.
            apt-mark hold docker-ce kubelet kubeadm kubectl
            systemctl enable docker kubelet
            systemctl start docker
            """
    }

    private var photon: String {
        let packages = ["docker-\(dockerPackageVersion)", "kubernetes-\(kubernetesPackageVersion)",
                        "kubernetes-kubeadm-\(kubernetesPackageVersion)"].map(Shell.quoted).joined(separator: " ")
        return """
            tdnf makecache
            tdnf install -y \(packages)
            # Photon's firewall drops inbound traffic by default; the API server, kubelet and Weave need it open.
            cat >"${systemd_dir}/cse-iptables-accept.service" <<'CSE_UNIT'
            [Unit]
            Description=cse: accept traffic for Kubernetes
            After=iptables.service
            Before=docker.service kubelet.service

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
            systemctl enable docker kubelet cse-iptables-accept.service
            systemctl start docker
            """
    }
}
