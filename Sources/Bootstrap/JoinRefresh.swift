import GuestSecrets

/// What keeps the master's published join command valid: a script that creates a fresh token and publishes it
/// (with the admin kubeconfig),
/// run once by the master's `publish` phase and then by a systemd timer. Nodes added days later still get a valid
/// token, which CSE did not manage with kubeadm's 24 h default.
enum JoinRefresh {
    static let unitName = "cse-join-refresh"

    static var ttlSeconds: Int { Int(GuestContract.joinTokenTTL) }
    static var intervalSeconds: Int { Int(GuestContract.joinRefreshInterval) }

    /// Where the master keeps cse's public key (the installed script seals with it).
    static let sealingKeyFile = "cse-sealing-key.pem"

    /// The installed script. It reads the same path overrides as the bootstrap scripts. The join command and the
    /// kubeconfig are published sealed to the installation's key (`GuestContract.SealingKey`), never in clear.
    static func script(sealingKey: GuestContract.SealingKey) -> String {
        #"""
        #!/bin/bash
        # cse: publishes a fresh kubeadm join command, its expiry and the admin kubeconfig, sealed to cse's key (installed by the master's bootstrap).
        set -euo pipefail
        \#(ScriptPaths.assignments([ScriptPaths.kubernetesDir, ScriptPaths.binDir]))
        \#(GuestContract.sealingKeyIDVariable)='\#(sealingKey.id)'
        sealing_key="${bin_dir}/\#(sealingKeyFile)"
        \#(GuestSealScript.function)
        # The expiry is taken before the token is made, so it is never later than the token's.
        expires=$(($(date +%s) + \#(ttlSeconds)))
        admin_conf="\#(ScriptPaths.adminConf)"
        token_help=$(kubeadm token create --help)
        if [[ $token_help == *--print-join-command* ]]; then
          join_command=$(kubeadm token create --kubeconfig "$admin_conf" --print-join-command --ttl \#(ttlSeconds)s)
        else
          # kubeadm before 1.9 cannot print the join command: build it from a token, the CA's key hash and the API server.
          token=$(kubeadm token create --kubeconfig "$admin_conf" --ttl \#(ttlSeconds)s)
          ca_hash=$(openssl x509 -pubkey -noout -in "${kubernetes_dir}/pki/ca.crt" | openssl rsa -pubin -outform der 2>/dev/null | sha256sum)
          server=$(kubectl --kubeconfig "$admin_conf" config view -o 'jsonpath={.clusters[0].cluster.server}')
          join_command="kubeadm join ${server#https://} --token ${token} --discovery-token-ca-cert-hash sha256:${ca_hash%% *}"
        fi
        # Trailing blanks kubeadm prints are not part of the command.
        join_command=${join_command%"${join_command##*[![:space:]]}"}
        join_sealed=$(printf '%s' "$join_command" | \#(GuestSealScript.functionName) "$sealing_key" "$\#(GuestContract.sealingKeyIDVariable)")
        vmtoolsd --cmd "info-set \#(GuestContract.joinCommandKey) ${join_sealed}"
        vmtoolsd --cmd "info-set \#(GuestContract.joinExpiresKey) ${expires}"
        # Republished with the token: guestinfo values do not survive a power cycle of the VM.
        kubeconfig_sealed=$(\#(GuestSealScript.functionName) "$sealing_key" "$\#(GuestContract.sealingKeyIDVariable)" <"$admin_conf")
        vmtoolsd --cmd "info-set \#(GuestContract.kubeconfigKey) ${kubeconfig_sealed}"

        """#
    }

    static var service: String {
        """
        [Unit]
        Description=cse: publish a fresh kubeadm join command
        After=kubelet.service

        [Service]
        Type=oneshot
        ExecStart=${bin_dir}/\(ScriptPaths.joinRefreshCommand)

        """
    }

    static var timer: String {
        """
        [Unit]
        Description=cse: refresh the published kubeadm join command every \(intervalSeconds / 60) minutes

        [Timer]
        OnBootSec=60
        OnActiveSec=\(intervalSeconds)
        OnUnitActiveSec=\(intervalSeconds)

        [Install]
        WantedBy=timers.target

        """
    }

    /// Master commands that install cse's public key, the script and its timer, then publish once.
    static func installCommands(sealingKey: GuestContract.SealingKey) -> String {
        """
        mkdir -p "$bin_dir" "$systemd_dir"
        cat >"${bin_dir}/\(sealingKeyFile)" <<'CSE_KEY'
        \(sealingKey.publicKeyPEM.hasSuffix("\n") ? sealingKey.publicKeyPEM : sealingKey.publicKeyPEM + "\n")CSE_KEY
        cat >"${bin_dir}/\(ScriptPaths.joinRefreshCommand)" <<'CSE_SCRIPT'
        \(script(sealingKey: sealingKey))CSE_SCRIPT
        chmod 700 "${bin_dir}/\(ScriptPaths.joinRefreshCommand)"
        "${bin_dir}/\(ScriptPaths.joinRefreshCommand)"
        cat >"${systemd_dir}/\(unitName).service" <<CSE_UNIT
        \(service)CSE_UNIT
        cat >"${systemd_dir}/\(unitName).timer" <<'CSE_UNIT'
        \(timer)CSE_UNIT
        systemctl daemon-reload
        systemctl enable --now \(unitName).timer
        """
    }
}
