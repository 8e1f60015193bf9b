import Foundation

/// The one definition of what a guest reports to cse and how. Guests write `guestinfo.*` keys with
/// `vmtoolsd --cmd "info-set <key> <value>"`; vCD shows them as the VM's ExtraConfig, which Observe reads.
/// cse's scripts (Bootstrap), the reconciler and the simulator's guest emulation all use this type.
public enum GuestContract {
    /// Bumped when keys or meanings change; scripts carry it in their header.
    public static let version = 1

    public enum Role: String, Sendable, CaseIterable {
        /// The temporary VM a template is built on.
        case template
        case master
        case node
    }

    public enum Status: String, Sendable {
        case inProgress = "in_progress"
        case done
        case failed
    }

    /// Phases in the order a guest of each role runs them. The last phase's `done` means the guest is ready.
    public static func phases(for role: Role) -> [String] {
        switch role {
        case .template: return ["init", "packages", "images", "prepare"]
        case .master: return ["init", "kubeadm-init", "network", "publish"]
        case .node: return ["init", "join"]
        }
    }

    // MARK: keys the guest writes

    public static let statusKey = "guestinfo.cse.bootstrap.status"
    public static let phaseKey = "guestinfo.cse.bootstrap.phase"
    /// One line, no secrets: why a phase failed.
    public static let reasonKey = "guestinfo.cse.bootstrap.reason"
    /// Master only: `kubeadm join <ip>:6443 --token T --discovery-token-ca-cert-hash sha256:H`, sealed. Secret.
    public static let joinCommandKey = "guestinfo.cse.join.command"
    /// Master only: when the published join token expires (Unix seconds). The master refreshes it well before.
    public static let joinExpiresKey = "guestinfo.cse.join.expires"
    /// Master only: the cluster's admin kubeconfig, sealed. Secret.
    public static let kubeconfigKey = "guestinfo.cse.kubeconfig"
    /// Master only: the token id (`[a-z0-9]{6}`, the public half of a bootstrap token: Kubernetes' "Authenticating
    /// with Bootstrap Tokens" names it public and the secret half secret) of the published join command, in clear.
    public static let joinTokenIDKey = "guestinfo.cse.join.id"

    // MARK: keys cse writes (extra config set with reconfigureVm; the guest reads them with `vmtoolsd --cmd "info-get ..."`)

    /// Set by cse on a master once every node it handed a join command to has joined: the id of the newest token
    /// handed out. The master's refresh script deletes that token and every one it issued before
    /// (`kubeadm token delete ID`), then publishes a fresh one; cse never hands out a revoked id.
    public static let joinRevokeKey = "guestinfo.cse.join.revoke"

    /// Keys whose values are secrets: never logged, printed or stored in events.
    public static let secretKeys: Set<String> = [joinCommandKey, kubeconfigKey]

    // MARK: sealing (vCD shows a VM's extra config to every user of the org who can read the VM)

    /// Secret values are sealed to one of the installation's public keys, never published in clear: the master's
    /// script carries the current public key (`SealingKey`) and seals with `GuestSealScript` (openssl:
    /// RSA-OAEP-SHA256 wraps a random AES-256-CBC key and HMAC-SHA256 key, encrypt-then-MAC; the format is
    /// `GuestSecrets.SealedSecret`'s `cse-sealed:1:KEYID:WRAPPED:IV:CIPHERTEXT:MAC`). Only cse, holding the private
    /// keys beside its store, opens them.
    public struct SealingKey: Sendable, Equatable {
        public var id: String
        /// SubjectPublicKeyInfo PEM.
        public var publicKeyPEM: String

        public init(id: String, publicKeyPEM: String) {
            self.id = id
            self.publicKeyPEM = publicKeyPEM
        }
    }

    /// The master script names its sealing key's id in this shell variable.
    public static let sealingKeyIDVariable = "CSE_SEALING_KEY_ID"

    /// The sealing key a master script carries, if any.
    public static func sealingKey(inScript script: String) -> SealingKey? {
        let marker = "\(sealingKeyIDVariable)='"
        guard let start = script.range(of: marker) else { return nil }
        let rest = script[start.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let id = String(rest[..<end])
        guard let begin = script.range(of: "-----BEGIN PUBLIC KEY-----"),
              let finish = script.range(of: "-----END PUBLIC KEY-----", range: begin.upperBound..<script.endIndex) else { return nil }
        return SealingKey(id: id, publicKeyPEM: String(script[begin.lowerBound..<finish.upperBound]))
    }

    // MARK: lifetime of what travels in (user data and join tokens)
    //
    // - The template's root password travels only as a SHA-512 crypt hash (`RootPassword`, `chpasswd -e`), and the
    //   build VM's user data is removed before the VM is captured: a capture keeps the VM's extra config, and every
    //   clone would inherit it.
    // - A node's user data carries the master's join command (its token lives `joinTokenTTL`). Once a guest reports
    //   `done`, cse removes its user data (`CloudInitUserData.clearedExtraConfig`, through reconfigureVm, only on VMs
    //   it owns) and only then marks it ready; the cluster is Ready only after that.
    // - Once every node of the cluster joined, cse sets `joinRevokeKey` on the master to the published token's id
    //   (the newest any node was given); the master's timer (`joinCheckInterval`) deletes that token and every one
    //   it issued before, and publishes a fresh one. cse never hands out a token the master was asked to revoke
    //   (`joinInfo`). A token whose revocation never comes (its node was removed first) expires with its TTL.

    // MARK: what the script carries in

    /// First comment line of every cse script: `# cse-bootstrap: contract=1 role=master`.
    public static let headerPrefix = "# cse-bootstrap:"
    /// Node scripts carry the join command (base64) in this shell variable.
    public static let joinVariable = "CSE_JOIN_COMMAND_B64"
    /// How long a published join token lives (`kubeadm token create --ttl`; the master refreshes it every
    /// `joinRefreshInterval`). Tokens handed to nodes are revoked once the nodes joined (`joinRevokeKey`); the TTL
    /// bounds the life of one whose revocation never came (a node removed before it joined).
    public static let joinTokenTTL: TimeInterval = 3600
    public static let joinRefreshInterval: TimeInterval = 15 * 60
    /// How often the master's timer looks for a revocation (and a published token due for refresh).
    public static let joinCheckInterval: TimeInterval = 60

    public static func header(role: Role) -> String {
        "\(headerPrefix) contract=\(version) role=\(role.rawValue)"
    }

    /// The role a script declares in its header, if it is a cse script.
    public static func role(ofScript script: String) -> Role? {
        for line in script.split(separator: "\n", omittingEmptySubsequences: true).prefix(3) where line.hasPrefix(headerPrefix) {
            for field in line.dropFirst(headerPrefix.count).split(separator: " ") where field.hasPrefix("role=") {
                return Role(rawValue: String(field.dropFirst(5)))
            }
        }
        return nil
    }

    /// Comment line of a template script naming the CNI manifest it downloads: `# cse-cni-manifest: SHA256 URL`.
    public static let cniManifestMarker = "# cse-cni-manifest:"

    /// The CNI manifest (SHA-256 and URL) a template script downloads.
    public static func cniManifest(inScript script: String) -> (sha256: String, url: String)? {
        for line in script.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix(cniManifestMarker) {
            let fields = line.trimmingCharacters(in: .whitespaces).dropFirst(cniManifestMarker.count).split(separator: " ")
            if fields.count == 2 { return (String(fields[0]), String(fields[1])) }
        }
        return nil
    }

    /// The join command a node script carries (decoded), if any.
    public static func joinCommand(inScript script: String) -> String? {
        let marker = "\(joinVariable)='"
        guard let start = script.range(of: marker) else { return nil }
        let rest = script[start.upperBound...]
        guard let end = rest.firstIndex(of: "'"), let data = Data(base64Encoded: String(rest[..<end])) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    // MARK: reading a guest's reports

    /// What a guest has reported, read from its extra config.
    public enum Report: Sendable, Equatable {
        case notStarted
        case running(phase: String)
        case ready
        case failed(phase: String, reason: String)
    }

    public static func report(_ extraConfig: [String: String]) -> Report {
        let phase = extraConfig[phaseKey] ?? "init"
        switch extraConfig[statusKey].flatMap(Status.init(rawValue:)) {
        case .done?: return .ready
        case .failed?: return .failed(phase: phase, reason: extraConfig[reasonKey] ?? "no reason given")
        case .inProgress?: return .running(phase: phase)
        case nil: return .notStarted
        }
    }

    /// Join information a master published (sealed; `open` unseals), when present, valid for at least `margin` more,
    /// and not revoked (its token id is not the one cse asked the master to revoke: the master has not yet published
    /// a fresh one).
    public static func joinInfo(_ extraConfig: [String: String], open: (String) throws -> Data, now: Date = Date(),
                                margin: TimeInterval = 600) -> JoinInfo? {
        guard let sealed = extraConfig[joinCommandKey], let data = try? open(sealed),
              let command = String(data: data, encoding: .utf8), command.hasPrefix("kubeadm join ") else { return nil }
        if let id = tokenID(inJoinCommand: command) {
            if let revoked = extraConfig[joinRevokeKey], revoked == id { return nil }
            if let published = extraConfig[joinTokenIDKey], !published.isEmpty, published != id { return nil }
        }
        let expires = extraConfig[joinExpiresKey].flatMap(TimeInterval.init).map(Date.init(timeIntervalSince1970:))
        if let expires, expires.timeIntervalSince(now) < margin { return nil }
        return JoinInfo(command: command, expires: expires)
    }

    /// The token id (public half) of the bootstrap token in a `kubeadm join ... --token ID.SECRET ...` command.
    public static func tokenID(inJoinCommand command: String) -> String? {
        let words = command.split(separator: " ")
        guard let index = words.firstIndex(of: "--token"), index + 1 < words.count,
              let dot = words[index + 1].firstIndex(of: ".") else { return nil }
        let id = String(words[index + 1][..<dot])
        return id.isEmpty ? nil : id
    }

    /// The admin kubeconfig a master published (sealed; `open` unseals). Nil when there is none; throws when it
    /// does not open (sealed to a key this installation does not hold, or changed).
    public static func kubeconfig(_ extraConfig: [String: String], open: (String) throws -> Data) throws -> String? {
        guard let sealed = extraConfig[kubeconfigKey] else { return nil }
        return String(data: try open(sealed), encoding: .utf8)
    }
}

/// What a node needs to join its cluster. Its description hides the token.
public struct JoinInfo: Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var expires: Date?

    public init(command: String, expires: Date?) {
        self.command = command
        self.expires = expires
    }

    public var description: String { "join information (expires \(expires.map { "\($0)" } ?? "never"))" }
}
