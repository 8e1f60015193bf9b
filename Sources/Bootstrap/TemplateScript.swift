import Foundation
import Spec

/// The bootstrap script of a template's build VM: sets the root password, prepares the host for kubeadm, installs the
/// pinned runtime and Kubernetes tools, pre-pulls kubeadm's images and the CNI (manifest checked), and leaves the VM
/// ready to capture (no reboot after `/etc/machine-id` is emptied, or the id would be captured).
struct TemplateScript {
    let template: TemplateSpec
    let rootPassword: RootPassword

    var text: String {
        let versions = template.versions
        let install = PackageInstall(os: template.os, versions: versions, packages: template.packages)
        let runtime = ContainerRuntimeSetup(versions: versions, packages: template.packages)
        let kubernetes = install.kubernetes
        let images = ControlPlaneImages(kubernetes: kubernetes, packages: template.packages)
        let cni = CNICommands(cni: versions.cni, runtime: versions.runtime)
        let packageManager = template.os.family == .ubuntu ? "apt-get apt-mark gpg" : "tdnf"
        let phases = GuestContract.phases(for: .template)
        return ScriptPrelude.text(
            role: .template,
            summary: "template \(template.name): \(template.os), \(versions.summary)",
            paths: (adminKey == nil ? [] : [ScriptPaths.rootHome]) + [ScriptPaths.machineID, ScriptPaths.dbusMachineID, ScriptPaths.systemdDir, ScriptPaths.etcDir,
                    ScriptPaths.cseDir, ScriptPaths.binDir]
                + (template.os.family == .ubuntu ? [ScriptPaths.aptSourcesDir, ScriptPaths.keyringDir] : [ScriptPaths.yumReposDir]),
            helpers: [.requireCommands, .waitActive] + (adminKey == nil ? [] : [.authorizeKey])
        ) + """
            \(rootPassword.assignment)

            cse_begin_phase \(phases[0])
            cse_require_commands \(packageManager) curl systemctl base64 sha256sum chpasswd modprobe sysctl
            \(RootPassword.setCommands)
            \(HostPreparation.proxyExports(template.packages.proxy))
            \(HostPreparation.commands)

            cse_begin_phase \(phases[1])
            \(install.commands)
            \(runtime.commands)

            cse_begin_phase \(phases[2])
            cse_wait_active \(runtime.unit)
            \(images.pullCommands)
            \(cni.templateCommands)

            cse_begin_phase \(phases[3])
            \(authorizeAdminKey)
            \(install.cleanup)
            \(StatusReset.installCommands)
            \(template.os.hasCloudInit ? cloudInitReset : "# no cloud-init on this image")
            # Clones must generate their own machine id: empty it, and let D-Bus share it.
            : >"$machine_id_file"
            rm -f "$dbus_machine_id_file"
            ln -s "$machine_id_file" "$dbus_machine_id_file"
            sync

            """ + ScriptPrelude.finish
    }

    /// cloud-init must run again on every clone (new instance, new user data): its state of this build goes.
    private var cloudInitReset: String {
        "cloud-init clean --logs"
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
