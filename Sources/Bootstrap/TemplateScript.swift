import Foundation
import Spec

/// The guest customization script of a template's build VM: installs the pinned software, pre-pulls images and
/// leaves the VM ready to capture (no reboot after `/etc/machine-id` is emptied, or the id would be captured).
struct TemplateScript {
    let template: TemplateSpec

    var text: String {
        let install = PackageInstall(os: template.os, versions: template.versions)
        let kubernetes = KubernetesVersion(template.versions.kubernetes) ?? KubernetesVersion(major: 1, minor: 8, patch: 0)
        let images = ControlPlaneImages(kubernetes: kubernetes, weave: template.versions.weave)
        let packageManager = template.os.family == .ubuntu ? "apt-get apt-key apt-mark" : "tdnf"
        let phases = GuestContract.phases(for: .template)
        return ScriptPrelude.text(
            role: .template,
            summary: "template \(template.name): \(template.os), Kubernetes \(template.versions.kubernetes), "
                + "Docker \(template.versions.docker), Weave \(template.versions.weave)",
            paths: [ScriptPaths.rootHome, ScriptPaths.machineID, ScriptPaths.dbusMachineID,
                    template.os.family == .ubuntu ? ScriptPaths.aptSourcesDir : ScriptPaths.systemdDir],
            helpers: [.requireCommands, .waitActive] + (adminKey == nil ? [] : [.authorizeKey])
        ) + """
            cse_begin_phase \(phases[0])
            cse_require_commands \(packageManager) curl systemctl base64

            cse_begin_phase \(phases[1])
            \(install.commands)

            cse_begin_phase \(phases[2])
            cse_wait_active docker
            \(images.pullCommands)
            \(WeaveManifest.download(weaveVersion: template.versions.weave))

            cse_begin_phase \(phases[3])
            \(authorizeAdminKey)
            \(install.cleanup)
            # Clones must generate their own machine id: empty it, and let D-Bus share it.
            : >"$machine_id_file"
            rm -f "$dbus_machine_id_file"
            ln -s "$machine_id_file" "$dbus_machine_id_file"
            sync

            """ + ScriptPrelude.finish
    }

    private var adminKey: String? {
        guard let key = template.adminSSHKey?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else { return nil }
        return key
    }

    private var authorizeAdminKey: String {
        guard let adminKey else { return "# no admin ssh key configured" }
        return "cse_authorize_key \(Shell.quoted(Shell.commentSafe(adminKey)))"
    }
}
