/// Where a template gets its software when not from the public sources: an air-gapped cloud names its own mirrors.
public struct PackageSources: Hashable, Sendable, Codable {
    /// An apt (Ubuntu) or tdnf (Photon) repository serving the Kubernetes tools and the container runtime.
    public var mirror: PackageMirror?
    /// A container registry mirror containerd pulls through (written into containerd's config), e.g. `https://registry.example.com`.
    public var registryMirror: String?
    public var proxy: ProxySettings?

    public init(mirror: PackageMirror? = nil, registryMirror: String? = nil, proxy: ProxySettings? = nil) {
        self.mirror = mirror
        self.registryMirror = registryMirror
        self.proxy = proxy
    }
}

public struct PackageMirror: Hashable, Sendable, Codable {
    /// The repository's base URL: for apt a flat repository (`deb [signed-by=...] URL /`), for tdnf a `baseurl`.
    public var url: String
    /// The URL of the repository's signing key (ASCII-armoured).
    public var key: String

    public init(url: String, key: String) {
        self.url = url
        self.key = key
    }
}

public struct ProxySettings: Hashable, Sendable, Codable {
    public var http: String?
    public var https: String?
    public var noProxy: String?

    public init(http: String?, https: String?, noProxy: String?) {
        self.http = http
        self.https = https
        self.noProxy = noProxy
    }
}
