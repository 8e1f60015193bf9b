import Spec

/// Configures the container runtime after its packages are installed. containerd gets cse's own config (version 2
/// format, read by containerd 1.6 and later): the CRI plugin enabled (Docker's `containerd.io` package ships it
/// disabled), runc with `SystemdCgroup = true` (kubelet's cgroup driver is systemd since kubeadm 1.22), registry hosts
/// from `certs.d` where the registry mirror goes, and the proxy as a systemd drop-in. crictl talks to containerd.
struct ContainerRuntimeSetup {
    let versions: SoftwareVersions
    let packages: PackageSources

    static let socket = "unix:///run/containerd/containerd.sock"
    /// Registries the images of kubeadm and the CNI plugins come from, each sent to the registry mirror when one is set.
    static let mirroredRegistries = ["registry.k8s.io", "docker.io", "quay.io", "ghcr.io"]

    var unit: String {
        if case .docker = versions.runtime { return "docker" }
        return "containerd"
    }

    var commands: String {
        switch versions.runtime {
        case .containerd: return containerd
        case .docker: return docker
        }
    }

    private var containerd: String {
        var lines = [
            "mkdir -p \"${etc_dir}/containerd/certs.d\"",
            "cat >\"${etc_dir}/containerd/config.toml\" <<'CSE_TOML'",
            "# Written by cse.",
            "version = 2",
            "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]",
            "  runtime_type = \"io.containerd.runc.v2\"",
            "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]",
            "  SystemdCgroup = true",
            "[plugins.\"io.containerd.grpc.v1.cri\".registry]",
            "  config_path = \"/etc/containerd/certs.d\"",
            "CSE_TOML",
        ]
        if let mirror = packages.registryMirror {
            for registry in Self.mirroredRegistries {
                let upstream = registry == "docker.io" ? "https://registry-1.docker.io" : "https://\(registry)"
                lines += [
                    "mkdir -p \"${etc_dir}/containerd/certs.d/\(registry)\"",
                    "cat >\"${etc_dir}/containerd/certs.d/\(registry)/hosts.toml\" <<'CSE_TOML'",
                    "server = \"\(upstream)\"",
                    "[host.\"\(mirror)\"]",
                    "  capabilities = [\"pull\", \"resolve\"]",
                    "CSE_TOML",
                ]
            }
        }
        lines += proxyDropIn(unit: "containerd")
        lines += [
            "cat >\"${etc_dir}/crictl.yaml\" <<'CSE_YAML'",
            "runtime-endpoint: \(Self.socket)",
            "image-endpoint: \(Self.socket)",
            "CSE_YAML",
            "systemctl daemon-reload",
            "systemctl enable containerd kubelet",
            "systemctl restart containerd",
        ]
        return lines.joined(separator: "\n")
    }

    private var docker: String {
        var lines: [String] = []
        if let mirror = packages.registryMirror {
            lines += ["mkdir -p \"${etc_dir}/docker\"",
                      "printf '{\"registry-mirrors\": [\"%s\"]}\\n' \(Shell.quoted(mirror)) >\"${etc_dir}/docker/daemon.json\""]
        }
        lines += proxyDropIn(unit: "docker")
        lines += ["systemctl daemon-reload", "systemctl enable docker kubelet", "systemctl restart docker"]
        return lines.joined(separator: "\n")
    }

    private func proxyDropIn(unit: String) -> [String] {
        guard let proxy = packages.proxy else { return [] }
        return ["mkdir -p \"${systemd_dir}/\(unit).service.d\"",
                "cat >\"${systemd_dir}/\(unit).service.d/cse-proxy.conf\" <<'CSE_UNIT'",
                "[Service]"]
            + HostPreparation.environment(proxy).map { "Environment=\"\($0.key)=\($0.value)\"" }
            + ["CSE_UNIT"]
    }
}
