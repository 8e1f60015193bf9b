import Bootstrap
import Foundation
import GuestSecrets

/// Plays the guest's part of the bootstrap contract for VMs powered on with a cse script: after the boot
/// delay each phase reports `in_progress`, then the guest reports `done` (or `failed` with a reason) through
/// its guestinfo keys, exactly as `vmtoolsd --cmd "info-set ..."` would. A cloud-init image reads its script from the
/// user data in `guestinfo.userdata` (base64 cloud-config) and ignores guest customization scripts (custom scripts are
/// off by default in today's open-vm-tools); without user data it boots and reports nothing, as a real one does.
extension Simulator {
    /// The bootstrap script the guest runs on its first boot, if any.
    func guestScript(of vm: SimVM) -> String? {
        if vm.hasCloudInit == true { return CloudInitUserData.script(fromExtraConfig: vm.extraConfig) }
        return vm.customizationScript
    }

    func advanceGuests(to now: Date) {
        for (id, vm) in state.vms where vm.status == 4 {
            guard let run = vm.guest else { continue }
            if run.finished {
                if run.role == GuestContract.Role.master.rawValue { refreshJoinToken(id, now: now) }
                continue
            }
            if run.silent { continue }
            step(id, run: run, now: now)
        }
    }

    private func step(_ id: String, run: SimGuestRun, now: Date) {
        guard var vm = state.vms[id], let role = GuestContract.Role(rawValue: run.role) else { return }
        let phases = GuestContract.phases(for: role)
        let elapsed = now.timeIntervalSince(run.startedAt) - options.bootSeconds
        guard elapsed >= 0 else { return }
        let reached = min(phases.count, Int(elapsed / max(options.phaseSeconds, 0.001)))
        var run = run
        let current = min(reached, phases.count - 1)
        let failure = run.failPhase.map { phase in (phase, run.failReason ?? "failed") } ?? inputFailure(vm, role: role, now: now)
        let failureIndex = failure.map { failure in phases.firstIndex(of: failure.0) ?? phases.count - 1 }
        if let failure, let failureIndex, failureIndex <= current {
            report(&vm, .failed, phase: phases[failureIndex], reason: failure.1)
            run.finished = true
        } else if reached >= phases.count {
            finish(&vm, role: role, now: now)
            report(&vm, .done, phase: phases[phases.count - 1], reason: nil)
            run.finished = true
        } else {
            report(&vm, .inProgress, phase: phases[current], reason: nil)
        }
        vm.guest = run
        if vm.extraConfig != state.vms[id]?.extraConfig || run.finished != state.vms[id]?.guest?.finished {
            state.vms[id] = vm
            dirty = true
        }
    }

    /// Failures the guest would meet on its own: a cluster VM on an image that was never customized, a node
    /// without (or with expired) join information.
    private func inputFailure(_ vm: SimVM, role: GuestContract.Role, now: Date) -> (String, String)? {
        if role == .template { return manifestFailure(vm) }
        if !vm.isCustomizedImage {
            return (role == .master ? "kubeadm-init" : "join", "kubeadm: command not found (the template was not customized)")
        }
        if role == .master, !(guestScript(of: vm).flatMap(GuestContract.sealingKey(inScript:)).map { SealedSecret.isUsablePublicKey($0.publicKeyPEM) } ?? false) {
            // The contract's publish phase seals to the key the script carries; without one a master publishes nothing.
            return ("publish", "no usable sealing key in the master script: the join command and kubeconfig are not published")
        }
        guard role == .node else { return nil }
        guard let command = guestScript(of: vm).flatMap(GuestContract.joinCommand(inScript:)) else {
            return ("join", "no join information in the node script")
        }
        guard let token = Self.token(in: command) else { return ("join", "malformed join command") }
        let masters = state.vmsOf(vApp: vm.vApp).filter { $0.guest?.role == GuestContract.Role.master.rawValue }
        guard let expiry = masters.compactMap({ $0.issuedTokens[token] }).first else {
            return ("join", "kubeadm join: token not known to the control plane")
        }
        if expiry < now { return ("join", "kubeadm join: the join token has expired") }
        return nil
    }

    /// The template's `images` phase downloads the CNI manifest and checks its SHA-256, as the real script does.
    private func manifestFailure(_ vm: SimVM) -> (String, String)? {
        guard let script = guestScript(of: vm), let manifest = GuestContract.cniManifest(inScript: script) else { return nil }
        guard let served = downloads[manifest.url] else {
            return ("images", "phase images: 'curl -fsSL -o \"${cse_dir}/cni.yaml.download\" ...' exited 22 (\(manifest.url): 404)")
        }
        if served != manifest.sha256.lowercased() {
            return ("images", "phase images: the CNI manifest at \(manifest.url) does not have SHA-256 \(manifest.sha256)")
        }
        return nil
    }

    private func report(_ vm: inout SimVM, _ status: GuestContract.Status, phase: String, reason: String?) {
        vm.extraConfig[GuestContract.statusKey] = status.rawValue
        vm.extraConfig[GuestContract.phaseKey] = phase
        if let reason { vm.extraConfig[GuestContract.reasonKey] = reason } else { vm.extraConfig[GuestContract.reasonKey] = nil }
    }

    /// What a finished guest leaves behind: a customized image, or a master's join information and kubeconfig.
    private func finish(_ vm: inout SimVM, role: GuestContract.Role, now: Date) {
        switch role {
        case .template:
            vm.customizationDone = true
        case .master:
            if let key = guestScript(of: vm).flatMap(GuestContract.sealingKey(inScript:)) { vm.installedSealingKey = [key.id, key.publicKeyPEM] }
            publishJoin(&vm, now: now)
            let server = "https://\(vm.ipAddress ?? "127.0.0.1"):6443"
            let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: \(Data("sim-ca-\(vm.id)".utf8).base64EncodedString())
                server: \(server)
              name: kubernetes
            contexts:
            - context:
                cluster: kubernetes
                user: kubernetes-admin
              name: kubernetes-admin@kubernetes
            current-context: kubernetes-admin@kubernetes
            preferences: {}
            users:
            - name: kubernetes-admin
              user:
                client-certificate-data: \(Data("sim-cert-\(vm.id)".utf8).base64EncodedString())
                client-key-data: \(Data("sim-key-\(vm.id)".utf8).base64EncodedString())

            """
            vm.extraConfig[GuestContract.kubeconfigKey] = sealed(kubeconfig, vm: vm)
        case .node:
            break
        }
    }

    private func publishJoin(_ vm: inout SimVM, now: Date) {
        let token = random.hex(6) + "." + random.hex(16)
        let expiry = now.addingTimeInterval(GuestContract.joinTokenTTL)
        vm.issuedTokens[token] = expiry
        let command = "kubeadm join \(vm.ipAddress ?? "127.0.0.1"):6443 --token \(token) --discovery-token-ca-cert-hash sha256:\(random.hex(64))"
        vm.extraConfig[GuestContract.joinCommandKey] = sealed(command, vm: vm)
        vm.extraConfig[GuestContract.joinExpiresKey] = String(Int(expiry.timeIntervalSince1970))
        vm.extraConfig[GuestContract.joinTokenIDKey] = String(token.prefix(6))
    }

    /// The master's refresh timer, as `JoinRefresh`'s script does it: tokens cse asked to revoke (the one named and
    /// every one issued before it) are deleted, and a new token is published when the published one was revoked or is
    /// older than the refresh interval.
    private func refreshJoinToken(_ id: String, now: Date) {
        guard var vm = state.vms[id], let expires = vm.extraConfig[GuestContract.joinExpiresKey].flatMap(TimeInterval.init) else { return }
        var revoked = false
        if let revoke = vm.extraConfig[GuestContract.joinRevokeKey],
           let named = vm.issuedTokens.first(where: { $0.key.hasPrefix(revoke + ".") }) {
            // Tokens expire in the order they were issued (one TTL for all).
            let before = vm.issuedTokens.filter { $0.value <= named.value }
            for token in before.keys { vm.issuedTokens[token] = nil }
            revoked = vm.extraConfig[GuestContract.joinTokenIDKey] == revoke
        }
        let issued = expires - GuestContract.joinTokenTTL
        guard revoked || now.timeIntervalSince1970 - issued >= GuestContract.joinRefreshInterval else {
            if vm.issuedTokens != state.vms[id]?.issuedTokens {
                state.vms[id] = vm
                dirty = true
            }
            return
        }
        vm.issuedTokens = vm.issuedTokens.filter { $0.value > now }
        publishJoin(&vm, now: now)
        state.vms[id] = vm
        dirty = true
    }

    /// A secret as the master's publish script leaves it: sealed to the key it installed from its script (checked
    /// before the publish phase, so it is there).
    private func sealed(_ secret: String, vm: SimVM) -> String? {
        let installed = vm.installedSealingKey.flatMap { $0.count == 2 ? GuestContract.SealingKey(id: $0[0], publicKeyPEM: $0[1]) : nil }
        guard let key = installed ?? guestScript(of: vm).flatMap(GuestContract.sealingKey(inScript:)) else { return nil }
        return try? SealedSecret.seal(Data(secret.utf8), toPublicKeyPEM: key.publicKeyPEM, keyID: key.id).text
    }

    static func token(in command: String) -> String? {
        let words = command.split(separator: " ").map(String.init)
        guard let index = words.firstIndex(of: "--token"), index + 1 < words.count else { return nil }
        return words[index + 1]
    }
}
