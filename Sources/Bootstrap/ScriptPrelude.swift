/// The part every cse script starts with: header, strict mode, paths, logging, status reporting, the ERR trap
/// and the helper functions the script uses (only those: shellcheck rightly flags unused ones).
enum ScriptPrelude {
    static func text(role: GuestContract.Role, summary: String, paths: [ScriptPaths.Path], helpers: [ScriptHelper] = []) -> String {
        let allPaths = paths + [ScriptPaths.logFile]
        return """
            #!/bin/bash
            \(GuestContract.header(role: role))
            # \(Shell.commentSafe(summary))
            set -euo pipefail
            # The ERR trap must also fire inside functions and command substitutions.
            set -o errtrace
            # bash 4.4+; Ubuntu 16.04 and Photon 1.0 ship 4.3, where errtrace alone still catches substitution failures.
            shopt -s inherit_errexit 2>/dev/null || true

            # vCD runs customization scripts twice: before (precustomization) and after (postcustomization) it
            # customizes the guest. The work belongs after; run by hand without an argument, the script works too.
            if [[ ${1:-postcustomization} != postcustomization ]]; then
              exit 0
            fi

            \(ScriptPaths.assignments(allPaths))

            cse_phase=init
            cse_main_pid=$$

            # Sets one guestinfo key that cse reads through vCD.
            cse_report() {
              vmtoolsd --cmd "info-set $1 $2"
            }

            cse_begin_phase() {
              cse_phase=$1
              echo "cse: phase $1"
              cse_report \(GuestContract.phaseKey) "$1"
              cse_report \(GuestContract.statusKey) \(Shell.quoted(GuestContract.Status.inProgress.rawValue))
            }

            # Reports the failure (reason first, so a reader that sees "failed" also sees why) and stops.
            cse_report_failure() {
              local reason=$1 status=$2
              trap - ERR
              set +e
              echo "cse: failed: $reason"
              cse_report \(GuestContract.reasonKey) "$reason"
              cse_report \(GuestContract.statusKey) \(Shell.quoted(GuestContract.Status.failed.rawValue))
              exit "$status"
            }

            # BASH_COMMAND is the command as written in this script, before expansion: it names variables, not their
            # (possibly secret) values. Subshells only exit; their parent's command fails next and reports.
            # shellcheck disable=SC2317 # only the ERR trap calls it
            cse_on_error() {
              local status=$1 command=$2
              if [[ $BASHPID != "$cse_main_pid" ]]; then
                exit "$status"
              fi
              command=${command%%$'\\n'*}
              cse_report_failure "phase ${cse_phase}: '${command:0:120}' exited ${status}" "$status"
            }
            trap 'cse_on_error $? "$BASH_COMMAND"' ERR

            # Output goes to a root-only log, never to the console. Nothing secret is written to it.
            mkdir -p "$(dirname "$log_file")"
            touch "$log_file"
            chmod 600 "$log_file"
            exec >>"$log_file" 2>&1

            # Stops with a reason of our own: one line, never a secret value.
            cse_abort() {
              cse_report_failure "phase ${cse_phase}: $1" 1
            }

            \(helpers.map(\.text).joined(separator: "\n"))
            """
    }

    /// The last line of every script: the guest is ready.
    static let finish = """
        cse_report \(GuestContract.statusKey) \(Shell.quoted(GuestContract.Status.done.rawValue))
        echo "cse: done"

        """
}
