/// Stand-ins for the programs the scripts call. Each appends its name and arguments to `calls.log`, prints what the
/// real program would print where the script reads it, and exits 1 when `HARNESS_FAIL` names it (optionally with
/// its first argument, e.g. `kubeadm init`).
enum Stubs {
    static let joinCommand = "kubeadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef "
        + "--discovery-token-ca-cert-hash sha256:8cb2de97839780a412b93877f8507ad6c94f73add17d5d7058e91741c9d5ec78"
    /// The token kubeadm before 1.9 prints for `token create`.
    static let oldToken = "0ld0ld.0123456789old0ld"
    /// The token `kubeadm init` prints, which must not reach the log.
    static let initToken = "initia.0123456789initia"
    static let adminConf = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubernetes
          cluster:
            certificate-authority-data: Q0EtREFUQS1TRUNSRVQ=
            server: https://192.168.1.10:6443
        users:
        - name: kubernetes-admin
          user:
            client-key-data: S0VZLURBVEEtU0VDUkVU
        contexts:
        - name: kubernetes-admin@kubernetes
          context:
            cluster: kubernetes
            user: kubernetes-admin
        current-context: kubernetes-admin@kubernetes

        """

    /// What the curl stub serves for `-o FILE` downloads (a CNI manifest naming two images), and its SHA-256.
    static let manifest = """
        kind: List # cni manifest served by the harness
          containers:
            - name: cni
              image: docker.io/calico/cni:v3.29.1
            - name: node
              image: "docker.io/calico/node:v3.29.1"

        """
    static let manifestSHA256 = "096cad81221ab6382cf7a1c633ee603e9a60cb748d08adf9bb42147c45171c32"

    /// Shared head of every stub: log the call, fail on request.
    private static let head = #"""
        #!/bin/bash
        set -eu
        name=$(basename "$0")
        # One write per call: stubs in a pipeline (curl | gpg) run at once, and separate writes interleaved their lines.
        line=$(printf '%s' "$name"; printf ' %s' "$@")
        printf '%s\n' "$line" >>"$HARNESS_DIR/calls.log"
        if [[ ${HARNESS_FAIL:-} == "$name" || ${HARNESS_FAIL:-} == "$name ${1:-}" ]]; then
          echo "$name: failing as the test asked" >&2
          exit 1
        fi

        """#

    static let bodies: [String: String] = [
        "kubeadm": #"""
            case "$*" in
              init*)
                mkdir -p "$CSE_KUBERNETES_DIR"
                cat "$HARNESS_DIR/admin.conf" >"$CSE_KUBERNETES_DIR/admin.conf"
                echo "Your Kubernetes master has initialized successfully!"
                echo "  kubeadm join --token \#(initToken) 10.0.0.5:6443 --discovery-token-ca-cert-hash sha256:00"
                ;;
              "token create --help")
                if [[ -z ${HARNESS_OLD_KUBEADM:-} ]]; then echo "      --print-join-command   Instead of printing only the token"; fi
                ;;
              "token create"*--print-join-command*) echo "${HARNESS_JOIN_COMMAND:-\#(joinCommand)} " ;;
              "token create"*) echo "\#(oldToken)" ;;
              "version -o short") echo "v1.9.9" ;;
            esac
            # Keep the configuration file kubeadm was given (the node's is removed after the join).
            for ((i = 1; i < $#; i++)); do
              if [[ ${!i} == --config ]]; then
                next=$((i + 1))
                cp "${!next}" "$HARNESS_DIR/kubeadm-$1.yaml"
              fi
            done
            """#,
        "kubectl": #"""
            case "$*" in
              "version --client") echo 'Client Version: version.Info{Major:"1", Minor:"8", GitVersion:"v1.8.2"}' ;;
              *"config view"*) printf '%s' "https://192.168.1.10:6443" ;;
            esac
            """#,
        "vmtoolsd": #"""
            # --cmd "info-set KEY VALUE": one line "KEY<TAB>VALUE" per call. --cmd "info-get KEY": the last value the guest
            # set, or one cse set in the VM's extra config (extraconfig.tsv, same form); "No value found" and 1 otherwise.
            case $2 in
              info-get\ *)
                key=${2#info-get }
                value=$(cat "$HARNESS_DIR/extraconfig.tsv" "$HARNESS_DIR/guestinfo.log" 2>/dev/null \
                  | awk -F '\t' -v k="$key" '$1 == k { v = $2; found = 1 } END { if (found) print v; else exit 1 }') \
                  || { echo "No value found" >&2; exit 1; }
                printf '%s\n' "$value"
                ;;
              *)
                request=${2#info-set }
                printf '%s\t%s\n' "${request%% *}" "${request#* }" >>"$HARNESS_DIR/guestinfo.log"
                ;;
            esac
            """#,
        "curl": #"""
            output=""
            while (($#)); do
              if [[ $1 == -o ]]; then output=$2; shift; fi
              shift
            done
            if [[ -n $output ]]; then printf '%s' "$HARNESS_MANIFEST" >"$output"; else echo "-----BEGIN PGP PUBLIC KEY BLOCK-----"; fi
            """#,
        "apt-key": "cat >/dev/null",
        "gpg": #"""
            output=""
            while (($#)); do
              if [[ $1 == -o ]]; then output=$2; shift; fi
              shift
            done
            cat >"$output"
            """#,
        "chpasswd": #"cat >>"$HARNESS_DIR/chpasswd.stdin""#,
        "cloud-init": "",
        "crictl": "",
        "modprobe": "",
        "sysctl": "",
        "swapoff": "",
        // The CA-hash pipeline is faked; sealing (rand, enc, pkeyutl, dgst) is the real openssl.
        "openssl": #"case $1 in x509) echo "-----BEGIN PUBLIC KEY-----";; rsa) cat;; *) exec /usr/bin/openssl "$@";; esac"#,
        "systemctl": "",
        "docker": "",
        "apt-get": "",
        "apt-mark": "",
        "tdnf": "",
    ]

    static func script(for name: String) -> String {
        head + (bodies[name] ?? "") + "\n"
    }
}
