import GuestSecrets

/// What keeps the master's published join command valid and short-lived: a script, run once by the master's `publish`
/// phase and then every minute by a systemd timer, that (1) revokes the tokens cse reports used
/// (`GuestContract.joinRevokeKey`: that token and every earlier one the master issued, `kubeadm token delete ID`),
/// (2) publishes a fresh token (TTL `joinTokenTTL`) when the published one was revoked, is older than
/// `joinRefreshInterval`, or is gone from guestinfo (a power cycle clears guest-set keys), with the admin kubeconfig.
/// Nodes added days later still get a valid token; none stays valid for long after the nodes it was for joined.
enum JoinRefresh {
    static let unitName = "cse-join-refresh"

    static var ttlSeconds: Int { Int(GuestContract.joinTokenTTL) }
    static var intervalSeconds: Int { Int(GuestContract.joinRefreshInterval) }
    static var checkSeconds: Int { Int(GuestContract.joinCheckInterval) }

    /// Where the master keeps cse's public key (the installed script seals with it).
    static let sealingKeyFile = "cse-sealing-key.pem"
    /// The tokens the master issued and not yet revoked or expired, oldest first: `ID ISSUED-UNIX-SECONDS` per line
    /// (ids only: the secret halves are never written to disk).
    static let tokensFile = "${cse_dir}/join-tokens"

    /// The installed script. It reads the same path overrides as the bootstrap scripts. The join command and the
    /// kubeconfig are published sealed to the installation's key (`GuestContract.SealingKey`), never in clear.
    static func script(sealingKey: GuestContract.SealingKey) -> String {
        #"""
        #!/bin/bash
        # cse: revokes the join tokens cse reports used and publishes a fresh kubeadm join command, its expiry and the admin kubeconfig, sealed to cse's key (installed by the master's bootstrap).
        set -euo pipefail
        \#(ScriptPaths.assignments([ScriptPaths.kubernetesDir, ScriptPaths.binDir, ScriptPaths.cseDir]))
        \#(GuestContract.sealingKeyIDVariable)='\#(sealingKey.id)'
        sealing_key="${bin_dir}/\#(sealingKeyFile)"
        \#(GuestSealScript.function)
        admin_conf="\#(ScriptPaths.adminConf)"
        tokens_file="\#(tokensFile)"
        mkdir -p "$cse_dir"
        touch "$tokens_file"
        chmod 600 "$tokens_file"
        now=$(date +%s)

        # Revocation: cse names the newest token it handed to nodes once they all joined; that token and every earlier
        # one go. Expired tokens are forgotten (kubeadm removed them).
        revoke=$(vmtoolsd --cmd "info-get \#(GuestContract.joinRevokeKey)" 2>/dev/null || true)
        revoking=0
        if [[ $revoke =~ ^[a-z0-9]{6}$ ]] && grep -q "^${revoke} " "$tokens_file"; then revoking=1; fi
        : >"${tokens_file}.new"
        while read -r id issued; do
          [[ -n $id ]] || continue
          if ((revoking)); then
            kubeadm token delete --kubeconfig "$admin_conf" "$id" >/dev/null 2>&1 || true
            if [[ $id == "$revoke" ]]; then revoking=0; fi
          elif ((issued + \#(ttlSeconds) > now)); then
            printf '%s %s\n' "$id" "$issued" >>"${tokens_file}.new"
          fi
        done <"$tokens_file"
        mv "${tokens_file}.new" "$tokens_file"

        # The published token stays while it is the newest one kept, young, and still in guestinfo.
        last_id="" last_issued=0
        if [[ -s $tokens_file ]]; then read -r last_id last_issued < <(tail -n 1 "$tokens_file"); fi
        published=$(vmtoolsd --cmd "info-get \#(GuestContract.joinTokenIDKey)" 2>/dev/null || true)
        if [[ -n $last_id && $published == "$last_id" ]] && ((now - last_issued < \#(intervalSeconds))); then
          exit 0
        fi

        # The expiry is taken before the token is made, so it is never later than the token's.
        expires=$((now + \#(ttlSeconds)))
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
        token_id=${join_command#*--token }
        token_id=${token_id%%.*}
        printf '%s %s\n' "$token_id" "$now" >>"$tokens_file"
        join_sealed=$(printf '%s' "$join_command" | \#(GuestSealScript.functionName) "$sealing_key" "$\#(GuestContract.sealingKeyIDVariable)")
        vmtoolsd --cmd "info-set \#(GuestContract.joinCommandKey) ${join_sealed}"
        vmtoolsd --cmd "info-set \#(GuestContract.joinExpiresKey) ${expires}"
        vmtoolsd --cmd "info-set \#(GuestContract.joinTokenIDKey) ${token_id}"
        # Republished with the token: guestinfo values do not survive a power cycle of the VM.
        kubeconfig_sealed=$(\#(GuestSealScript.functionName) "$sealing_key" "$\#(GuestContract.sealingKeyIDVariable)" <"$admin_conf")
        vmtoolsd --cmd "info-set \#(GuestContract.kubeconfigKey) ${kubeconfig_sealed}"

        """#
    }

    static var service: String {
        """
        [Unit]
        Description=cse: revoke used kubeadm join tokens and publish a fresh join command
        After=kubelet.service

        [Service]
        Type=oneshot
        ExecStart=${bin_dir}/\(ScriptPaths.joinRefreshCommand)

        """
    }

    static var timer: String {
        """
        [Unit]
        Description=cse: every \(checkSeconds) s, revoke join tokens cse reports used; refresh the published one every \(intervalSeconds / 60) minutes

        [Timer]
        OnBootSec=60
        OnActiveSec=\(checkSeconds)
        OnUnitActiveSec=\(checkSeconds)

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
