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
    static let binDir = Path(variable: "bin_dir", override: "CSE_BIN_DIR", defaultValue: "/usr/local/sbin")
    static let logFile = Path(variable: "log_file", override: "CSE_LOG_FILE", defaultValue: "/var/log/cse-bootstrap.log")

    /// `name=${OVERRIDE:-default}` lines for the given paths.
    static func assignments(_ paths: [Path]) -> String {
        paths.map { "\($0.variable)=${\($0.override):-\($0.defaultValue)}" }.joined(separator: "\n")
    }

    /// The admin kubeconfig kubeadm writes, relative to `kubernetesDir`.
    static let adminConf = "${kubernetes_dir}/admin.conf"
    /// The Weave manifest the template downloads and the master applies.
    static let weaveManifest = "${root_home}/weave.yml"
    static let joinRefreshCommand = "cse-join-refresh"
}
