import Spec

/// The CNI manifest: downloaded once while the template is built, its SHA-256 checked, its images pre-pulled, and kept
/// in the template; the master checks the digest again before `kubectl apply`, so cluster creation needs no internet
/// and applies exactly the reviewed file.
struct CNICommands {
    let cni: CNIManifest
    let runtime: ContainerRuntime

    /// The `images` phase's part: download, verify, record the digest, pull the images the manifest names.
    var templateCommands: String {
        guard let url = cni.effectiveURL, let sha256 = cni.sha256 else {
            return "cse_abort \(Shell.quoted("no pinned source for the \(cni) manifest (url and sha256)"))"
        }
        let pull = runtime.isDocker ? "docker pull \"$image\"" : "crictl pull \"$image\""
        return """
            \(GuestContract.cniManifestMarker) \(sha256) \(Shell.commentSafe(url))
            mkdir -p "$cse_dir"
            curl -fsSL -o "\(ScriptPaths.cniManifest).download" \(Shell.quoted(url))
            if ! printf '%s  %s\\n' \(Shell.quoted(sha256)) "\(ScriptPaths.cniManifest).download" | sha256sum -c --status; then
              cse_abort \(Shell.quoted("the \(cni) manifest does not have SHA-256 \(sha256)"))
            fi
            mv "\(ScriptPaths.cniManifest).download" "\(ScriptPaths.cniManifest)"
            printf '%s  %s\\n' \(Shell.quoted(sha256)) "\(ScriptPaths.cniManifest)" >"\(ScriptPaths.cniDigest)"
            while read -r image; do
              \(pull)
            done < <(sed -n -E 's/^[[:space:]]*(- )?image:[[:space:]]*"?([^"[:space:]]+)"?.*$/\\2/p' "\(ScriptPaths.cniManifest)" | sort -u)
            """
    }

    /// The master's `network` phase: the manifest baked into the template, verified, then applied.
    static func applyCommands(expected sha256: String?) -> String {
        let check: String
        if let sha256 {
            check = "printf '%s  %s\\n' \(Shell.quoted(sha256)) \"\(ScriptPaths.cniManifest)\" | sha256sum -c --status"
        } else {
            // Without the template's spec, the digest recorded when the template was built.
            check = "sha256sum -c --status \"\(ScriptPaths.cniDigest)\""
        }
        return """
            if [[ ! -s "\(ScriptPaths.cniManifest)" ]]; then
              cse_abort "the template carries no CNI manifest"
            fi
            if ! \(check); then
              cse_abort "the CNI manifest's SHA-256 does not match the pinned one"
            fi
            kubectl --kubeconfig "$admin_conf" apply -f "\(ScriptPaths.cniManifest)"
            """
    }
}

extension ContainerRuntime {
    var isDocker: Bool {
        if case .docker = self { return true }
        return false
    }
}
