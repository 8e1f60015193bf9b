/// A template's guest leaves `done` in its status keys; its clones must not show it. The template installs a unit that
/// clears the status keys early on a clone's first boot (before cloud-init or the customization script run), and
/// stays quiet once that clone finished its own bootstrap (the marker file).
enum StatusReset {
    static let unitName = "cse-clear-status"

    static var script: String {
        """
        #!/bin/bash
        # cse: clears the bootstrap status a clone inherited from its template (installed by the template's bootstrap).
        set -euo pipefail
        for key in \(GuestContract.statusKey) \(GuestContract.phaseKey) \(GuestContract.reasonKey); do
          vmtoolsd --cmd "info-set ${key} "
        done

        """
    }

    /// Template commands (`prepare` phase) that install the script and its unit.
    static var installCommands: String {
        """
        mkdir -p "$bin_dir" "$systemd_dir" "$cse_dir"
        cat >"${bin_dir}/\(ScriptPaths.clearStatusCommand)" <<'CSE_SCRIPT'
        \(script)CSE_SCRIPT
        chmod 700 "${bin_dir}/\(ScriptPaths.clearStatusCommand)"
        cat >"${systemd_dir}/\(unitName).service" <<CSE_UNIT
        [Unit]
        Description=cse: clear the bootstrap status inherited from the template
        ConditionPathExists=!\(ScriptPaths.bootstrappedMarker)
        Before=cloud-init.service cloud-final.service

        [Service]
        Type=oneshot
        ExecStart=${bin_dir}/\(ScriptPaths.clearStatusCommand)

        [Install]
        WantedBy=multi-user.target
        CSE_UNIT
        systemctl enable \(unitName).service
        rm -f "\(ScriptPaths.bootstrappedMarker)"
        """
    }

    /// Cluster VMs: from now on the status keys are this VM's own.
    static let markBootstrapped = "mkdir -p \"$cse_dir\"\ntouch \"\(ScriptPaths.bootstrappedMarker)\""
}
