/// Shell functions a script includes when it calls them.
enum ScriptHelper: CaseIterable {
    case requireCommands
    case waitActive
    case authorizeKey

    var text: String {
        switch self {
        case .requireCommands:
            return """
                cse_require_commands() {
                  local command
                  for command in "$@"; do
                    command -v "$command" >/dev/null || cse_abort "required command $command not found"
                  done
                }

                """
        case .waitActive:
            return """
                cse_wait_active() {
                  local unit=$1 tries=0
                  until systemctl is-active --quiet "$unit"; do
                    tries=$((tries + 1))
                    if ((tries > 60)); then
                      cse_abort "$unit did not become active"
                    fi
                    sleep 5
                  done
                }

                """
        case .authorizeKey:
            return """
                # Adds an ssh public key to root's authorized keys once.
                cse_authorize_key() {
                  local key=$1 file="${root_home}/.ssh/authorized_keys"
                  mkdir -p "${root_home}/.ssh"
                  chmod 700 "${root_home}/.ssh"
                  touch "$file"
                  chmod 600 "$file"
                  grep -qxF "$key" "$file" || printf '%s\\n' "$key" >>"$file"
                }

                """
        }
    }
}
