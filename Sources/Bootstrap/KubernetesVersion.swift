/// A Kubernetes release as templates name it ("1.8.2", also accepted with a leading "v").
struct KubernetesVersion: Comparable, Sendable, CustomStringConvertible {
    var major: Int
    var minor: Int
    var patch: Int

    init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    init?(_ text: String) {
        let trimmed = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        // Patch may carry a suffix such as "-00" or "+vmware.1"; only its leading number matters here.
        guard let patch = Int(parts[2].prefix { $0.isNumber }) else { return nil }
        self.init(major: major, minor: minor, patch: patch)
    }

    /// The form kubeadm and image tags use: "v1.8.2".
    var tag: String { "v\(major).\(minor).\(patch)" }
    var description: String { "\(major).\(minor).\(patch)" }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// At least `major.minor`, any patch.
    func isAtLeast(_ major: Int, _ minor: Int) -> Bool {
        (self.major, self.minor) >= (major, minor)
    }
}
