import Foundation
import Testing

@Suite struct BootstrapCommandTests {
    @Test func showPrintsTheTemplatesUserDataWithThePasswordMasked() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let spec = CLIRunner.repository.appendingPathComponent("specs/templates/ubuntu-24.04.yaml").path
        let shown = try cli.run(["bootstrap", "show", spec, "--role", "template"], environment: ["CSE_TEMPLATE_ROOT_PASSWORD": "do-not-print-me"])

        #expect(shown.status == 0, "\(shown.stderr)")
        let text = shown.stdout
        #expect(text.contains("guestinfo.userdata.encoding = base64"))
        #expect(text.contains("#cloud-config"))
        #expect(text.contains("https://pkgs.k8s.io/core:/stable:/v1.31/deb/ /"))
        #expect(text.contains("'containerd.io=1.7.24-*'") && text.contains("SystemdCgroup = true"))
        #expect(text.contains("https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/calico.yaml"))
        #expect(text.contains("ef325a26cb4e0a2d386d0e512c0cf4fd0fa935ac25777b41b0d3737153025a1c"))
        #expect(text.contains("root password: ******** (from env:CSE_TEMPLATE_ROOT_PASSWORD"))
        #expect(!text.contains("do-not-print-me") && !text.contains(Data("do-not-print-me".utf8).base64EncodedString()))

        let master = try cli.run(["bootstrap", "show", spec, "--role", "master"])
        #expect(master.status == 0 && master.stdout.contains("kind: InitConfiguration") && master.stdout.contains("sha256sum -c --status"))
        let node = try cli.run(["bootstrap", "show", spec, "--role", "node"])
        #expect(node.status == 0 && node.stdout.contains("kind: JoinConfiguration"))
    }

    @Test func anOldReleaseWithoutMirrorIsRefusedByShow() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("specs/templates/ubuntu-24.04.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "kubernetes: 1.31.4", with: "kubernetes: 1.8.2")
        try cli.write(text, to: "old.yaml")
        let shown = try cli.run(["bootstrap", "show", cli.path("old.yaml")])
        #expect(shown.status == 1)
        #expect(shown.stderr.contains("old.yaml:28:17: Kubernetes 1.8 has no public package source (pkgs.k8s.io starts at 1.24); set `packages.mirror`"),
                "\(shown.stderr)")
    }

    @Test func applyWithoutTheRootPasswordWritesNothing() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(["apply", CLIRunner.repository.appendingPathComponent("specs").path, "--timeout", "5"],
                                 environment: ["CSE_TEMPLATE_ROOT_PASSWORD": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("template ubuntu-24.04: rootPassword: secret env:CSE_TEMPLATE_ROOT_PASSWORD is not set or empty"))
        #expect(!result.stdout.contains("created"))
    }
}
