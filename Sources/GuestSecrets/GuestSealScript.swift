/// The shell a guest seals a secret with (`SealedSecret`'s construction), using only openssl 1.0.2 or newer and
/// coreutils: `cse_seal PUBLIC_KEY_PEM KEY_ID < secret` prints the sealed value. Key material lives in a private
/// temporary directory (mode 0700) that is removed on every exit.
public enum GuestSealScript {
    public static let functionName = "cse_seal"

    public static let function = #"""
    cse_seal() (
      set -euo pipefail
      work=$(mktemp -d)
      trap 'rm -rf "$work"' EXIT
      cat >"$work/secret"
      openssl rand -out "$work/keys" 64
      keys=$(od -An -v -tx1 "$work/keys" | tr -d ' \n')
      iv=$(openssl rand -hex 16)
      openssl enc -aes-256-cbc -K "${keys:0:64}" -iv "$iv" -in "$work/secret" -out "$work/ciphertext"
      wrapped=$(openssl pkeyutl -encrypt -pubin -inkey "$1" -in "$work/keys" \
        -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 | base64 -w0)
      body="cse-sealed:1:$2:$wrapped:$iv:$(base64 -w0 <"$work/ciphertext")"
      mac=$(printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:${keys:64:64}" -binary | base64 -w0)
      printf '%s:%s\n' "$body" "$mac"
    )
    """#
}
