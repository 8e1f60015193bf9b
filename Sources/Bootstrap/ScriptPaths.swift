/// Files the scripts touch. Each has its real location as default and an environment variable that overrides it,
/// so the test harness runs the scripts as an ordinary user in a temporary directory.
enum ScriptPaths {
    struct Path {
        /// The bash variable the script uses.
        let variable: String
        /// The environment variable that overrides it.
        let override: String
        let defaultValue: String
    }

    static let kubernetesDir = Path(variable: "kubernetes_dir", override: "CSE_KUBERNETES_DIR", defaultValue: "/etc/kubernetes")
    static let rootHome = Path(variable: "root_home", override: "CSE_ROOT_HOME", defaultValue: "/root")
    static let machineID = Path(variable: "machine_id_file", override: "CSE_MACHINE_ID_FILE", defaultValue: "/etc/machine-id")
    static let dbusMachineID = Path(variable: "dbus_machine_id_file", override: "CSE_DBUS_MACHINE_ID_FILE",
                                    defaultValue: "/var/lib/dbus/machine-id")
    static let systemdDir = Path(variable: "systemd_dir", override: "CSE_SYSTEMD_DIR", defaultValue: "/etc/systemd/system")
    static let aptSourcesDir = Path(variable: "apt_sources_dir", override: "CSE_APT_SOURCES_DIR", defaultValue: "/etc/apt/sources.list.d")
    static let keyringDir = Path(variable: "keyring_dir", override: "CSE_KEYRING_DIR", defaultValue: "/etc/apt/keyrings")
    static let yumReposDir = Path(variable: "yum_repos_dir", override: "CSE_YUM_REPOS_DIR", defaultValue: "/etc/yum.repos.d")
    static let binDir = Path(variable: "bin_dir", override: "CSE_BIN_DIR", defaultValue: "/usr/local/sbin")
    static let logFile = Path(variable: "log_file", override: "CSE_LOG_FILE", defaultValue: "/var/log/cse-bootstrap.log")
    /// /etc: modules-load.d, sysctl.d, containerd, crictl.yaml, fstab, docker.
    static let etcDir = Path(variable: "etc_dir", override: "CSE_ETC_DIR", defaultValue: "/etc")
    /// cse's own files on the guest: the CNI manifest and its digest, markers.
    static let cseDir = Path(variable: "cse_dir", override: "CSE_STATE_DIR", defaultValue: "/var/lib/cse")

    /// `name=${OVERRIDE:-default}` lines for the given paths.
    static func assignments(_ paths: [Path]) -> String {
        paths.map { "\($0.variable)=${\($0.override):-\($0.defaultValue)}" }.joined(separator: "\n")
    }

    /// The admin kubeconfig kubeadm writes, relative to `kubernetesDir`.
    static let adminConf = "${kubernetes_dir}/admin.conf"
    /// kubeadm's configuration file cse writes for `kubeadm init` / `kubeadm join`.
    static let kubeadmConfig = "${kubernetes_dir}/cse-kubeadm.yaml"
    /// The CNI manifest the template downloads (checked) and the master applies (checked again).
    static let cniManifest = "${cse_dir}/cni.yaml"
    /// `sha256sum` line of the manifest, recorded when the template was built.
    static let cniDigest = "${cse_dir}/cni.yaml.sha256"
    /// Written by a cluster VM once bootstrapped: its status keys are its own from then on.
    static let bootstrappedMarker = "${cse_dir}/bootstrapped"
    static let joinRefreshCommand = "cse-join-refresh"
    static let clearStatusCommand = "cse-clear-status"
}
