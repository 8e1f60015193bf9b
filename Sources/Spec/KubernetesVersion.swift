/// A Kubernetes release as templates name it ("1.31.4", also accepted with a leading "v").
public struct KubernetesVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    public init?(_ text: String) {
        let trimmed = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        // Patch may carry a suffix such as "-00" or "+vmware.1"; only its leading number matters here.
        guard let patch = Int(parts[2].prefix { $0.isNumber }) else { return nil }
        self.init(major: major, minor: minor, patch: patch)
    }

    /// The form kubeadm and image tags use: "v1.31.4".
    public var tag: String { "v\(major).\(minor).\(patch)" }
    /// "1.31": the minor release, as pkgs.k8s.io names its repositories.
    public var minorRelease: String { "\(major).\(minor)" }
    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// At least `major.minor`, any patch.
    public func isAtLeast(_ major: Int, _ minor: Int) -> Bool {
        (self.major, self.minor) >= (major, minor)
    }
}
