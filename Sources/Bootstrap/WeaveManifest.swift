/// Weave Net's Kubernetes manifest: Weave's service renders it for the kubectl version it is given.
enum WeaveManifest {
    /// Commands that download the manifest for `weaveVersion` to `ScriptPaths.weaveManifest`.
    static func download(weaveVersion: String) -> String {
        let version = Shell.quoted(weaveVersion)
        return #"""
            kubectl_version=$(kubectl version --client | base64 | tr -d '\n')
            curl -fsSL -o "\#(ScriptPaths.weaveManifest)" "https://cloud.weave.works/k8s/net?k8s-version=${kubectl_version}&v="\#(version)
            """#
    }
}
