import Spec

/// What kubeadm's preflight checks need of the host (kubeadm's "installing kubeadm" and container runtime pages): swap
/// off (now and after reboots), the `overlay` and `br_netfilter` modules, bridged traffic through iptables and IPv4
/// forwarding. Also the HTTP proxy for the script's own downloads.
enum HostPreparation {
    static let modulesFile = "${etc_dir}/modules-load.d/cse-kubernetes.conf"
    static let sysctlFile = "${etc_dir}/sysctl.d/99-cse-kubernetes.conf"

    static var commands: String {
        """
        swapoff -a
        if [[ -f "${etc_dir}/fstab" ]]; then
          sed -i -E 's/^([^#].*[[:space:]]swap[[:space:]].*)$/# cse: kubelet needs swap off: \\1/' "${etc_dir}/fstab"
        fi
        mkdir -p "${etc_dir}/modules-load.d" "${etc_dir}/sysctl.d"
        printf '%s\\n' overlay br_netfilter >"\(modulesFile)"
        modprobe overlay
        modprobe br_netfilter
        cat >"\(sysctlFile)" <<'CSE_SYSCTL'
        net.bridge.bridge-nf-call-iptables = 1
        net.bridge.bridge-nf-call-ip6tables = 1
        net.ipv4.ip_forward = 1
        CSE_SYSCTL
        sysctl --system
        """
    }

    /// `export` lines for the proxy, so curl, apt-get and tdnf of this script use it.
    static func proxyExports(_ proxy: ProxySettings?) -> String {
        guard let proxy else { return "# no HTTP proxy configured" }
        return environment(proxy).map { "export \($0.key)=\(Shell.quoted($0.value))" }.joined(separator: "\n")
    }

    static func environment(_ proxy: ProxySettings) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        if let http = proxy.http { entries += [("http_proxy", http), ("HTTP_PROXY", http)] }
        if let https = proxy.https { entries += [("https_proxy", https), ("HTTPS_PROXY", https)] }
        if let no = proxy.noProxy { entries += [("no_proxy", no), ("NO_PROXY", no)] }
        return entries
    }
}
