/// The software a template installs, at pinned versions that go together (checked by `VersionRules`).
public struct SoftwareVersions: Hashable, Sendable, Codable {
    public var kubernetes: String
    public var runtime: ContainerRuntime
    public var cni: CNIManifest

    public init(kubernetes: String, runtime: ContainerRuntime, cni: CNIManifest) {
        self.kubernetes = kubernetes
        self.runtime = runtime
        self.cni = cni
    }

    /// The seed's triple (Docker and Weave Net), for the legacy templates that only install from mirrors.
    public init(kubernetes: String, docker: String, weave: String) {
        self.init(kubernetes: kubernetes, runtime: .docker(docker), cni: CNIManifest(plugin: .weave, version: weave, url: nil, sha256: nil))
    }

    public var kubernetesVersion: KubernetesVersion? { KubernetesVersion(kubernetes) }

    // Coded in the spec's own shape (`kubernetes`, `containerd` or `docker`, `cni`), so `cse get -o yaml` applies back.
    private enum CodingKeys: String, CodingKey { case kubernetes, containerd, docker, cni }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kubernetes = try container.decode(String.self, forKey: .kubernetes)
        if let containerd = try container.decodeIfPresent(String.self, forKey: .containerd) {
            runtime = .containerd(containerd)
        } else {
            runtime = .docker(try container.decode(String.self, forKey: .docker))
        }
        cni = try container.decode(CNIManifest.self, forKey: .cni)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kubernetes, forKey: .kubernetes)
        switch runtime {
        case .containerd(let version): try container.encode(version, forKey: .containerd)
        case .docker(let version): try container.encode(version, forKey: .docker)
        }
        try container.encode(cni, forKey: .cni)
    }

    /// "Kubernetes 1.31.4, containerd 1.7.24, Calico 3.29.1".
    public var summary: String { "Kubernetes \(kubernetes), \(runtime), \(cni)" }

    /// The example specs' release set: Kubernetes 1.31 with containerd 1.7 and Calico 3.29 (tested with Kubernetes 1.29 to 1.31).
    public static let current = SoftwareVersions(
        kubernetes: "1.31.4", runtime: .containerd("1.7.24"),
        cni: CNIManifest(plugin: .calico, version: "3.29.1", url: nil, sha256: CNIManifest.knownDigests[.calico]?["3.29.1"]))

    /// The seed's release table (CSE 0.1.3): what each legacy OS shipped with.
    public static func legacyDefaults(for os: OperatingSystem) -> SoftwareVersions {
        switch os.family {
        case .ubuntu: return SoftwareVersions(kubernetes: "1.8.2", docker: "17.09.0-ce", weave: "2.0.5")
        case .photon: return SoftwareVersions(kubernetes: "1.8.1", docker: "17.06.0-ce", weave: "2.0.5")
        }
    }

    /// Defaults when a spec names no versions: the seed's for its systems, the current set for the others.
    public static func defaults(for os: OperatingSystem) -> SoftwareVersions {
        os.isLegacy ? legacyDefaults(for: os) : current
    }
}

/// The container runtime kubelet talks to. Docker (dockershim) only exists before Kubernetes 1.24.
public enum ContainerRuntime: Hashable, Sendable, CustomStringConvertible {
    case containerd(String)
    case docker(String)

    public var version: String {
        switch self {
        case .containerd(let version), .docker(let version): return version
        }
    }

    public var description: String {
        switch self {
        case .containerd(let version): return "containerd \(version)"
        case .docker(let version): return "Docker \(version)"
        }
    }
}

/// A CNI plugin's Kubernetes manifest at a pinned version, checked against its SHA-256 before `kubectl apply`.
public struct CNIManifest: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Plugin: String, Hashable, Sendable, Codable, CaseIterable {
        case calico, flannel, weave

        public var displayName: String {
            switch self {
            case .calico: return "Calico"
            case .flannel: return "Flannel"
            case .weave: return "Weave Net"
            }
        }

        /// The pod network range each plugin's stock manifest expects (kubeadm's `networking.podSubnet`).
        public var podSubnet: String {
            switch self {
            case .calico: return "192.168.0.0/16"
            case .flannel, .weave: return "10.244.0.0/16"
            }
        }
    }

    public var plugin: Plugin
    public var version: String
    /// Where the manifest is downloaded from; nil means the plugin's upstream location for `version`.
    public var url: String?
    public var sha256: String?

    public init(plugin: Plugin, version: String, url: String?, sha256: String?) {
        self.plugin = plugin
        self.version = version
        self.url = url
        self.sha256 = sha256
    }

    public var description: String { "\(plugin.displayName) \(version)" }

    /// The manifest's upstream location: the file at the release tag in the project's repository (Weave Net has none left).
    public var upstreamURL: String? {
        switch plugin {
        case .calico: return "https://raw.githubusercontent.com/projectcalico/calico/v\(version)/manifests/calico.yaml"
        case .flannel: return "https://raw.githubusercontent.com/flannel-io/flannel/v\(version)/Documentation/kube-flannel.yml"
        case .weave: return nil
        }
    }

    /// The URL the template downloads: the spec's, else upstream's.
    public var effectiveURL: String? { url ?? upstreamURL }

    /// SHA-256 digests of upstream manifests that cse knows, by plugin and version. Each is the digest of the file at the
    /// release tag in the upstream git repository (`git show vX.Y.Z:manifests/calico.yaml | sha256sum`, and
    /// `Documentation/kube-flannel.yml` for Flannel), which is exactly what the raw URL above serves. Any other version
    /// needs its `sha256` pinned in the spec.
    public static let knownDigests: [Plugin: [String: String]] = [
        .calico: [
            "3.28.2": "be59408bf990e96276f631d2f9285c2a0f9802194c0ad1cecdb6d9c52623a1c8",
            "3.29.1": "ef325a26cb4e0a2d386d0e512c0cf4fd0fa935ac25777b41b0d3737153025a1c",
        ],
        .flannel: [
            "0.25.7": "1f9d894f4cf6d3ff78b991341de02fefe64bfa88575bafc2a967eaeaa252a596",
            "0.26.1": "7bc4fc42328f5a0d53b3f9a80bccaa618ec984b1e08539f5ebf66a950184fe42",
        ],
    ]
}
