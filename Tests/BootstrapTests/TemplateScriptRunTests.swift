@testable import Bootstrap
import Foundation
import Spec
import Testing

@Suite struct TemplateScriptRunTests {
    @Test(arguments: F.currentSystems)
    func installsPinnedSoftwareInOrder(os: OperatingSystem) throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.template(os)))

        #expect(run.exitCode == 0, "\(run.log)\(run.console)")
        #expect(run.keys == F.phaseKeys(.template) + [GuestContract.statusKey])
        #expect(run.guestinfo.filter { $0.key == GuestContract.phaseKey }.map(\.value) == GuestContract.phases(for: .template))
        #expect(run.extraConfig[GuestContract.statusKey] == "done")
        let ubuntu = os.family == .ubuntu
        let install = ubuntu
            ? "apt-get install -y -q containerd.io=1.7.24-* kubelet=1.31.4-* kubeadm=1.31.4-* kubectl=1.31.4-*"
            : "tdnf install -y containerd-1.7.24 kubelet-1.31.4 kubeadm-1.31.4 kubectl-1.31.4 cri-tools"
        #expect(run.inOrder([
            "chpasswd", "swapoff -a", "modprobe overlay", "modprobe br_netfilter", "sysctl --system",
            ubuntu ? "curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.31/deb/Release.key" : "tdnf makecache",
            install,
            ubuntu ? "apt-mark hold containerd.io kubelet kubeadm kubectl" : "systemctl enable cse-iptables-accept.service",
            "systemctl enable containerd kubelet", "systemctl restart containerd",
            "kubeadm config images pull --kubernetes-version v1.31.4 --cri-socket unix:///run/containerd/containerd.sock",
            "curl -fsSL -o \(harness.path("var/lib/cse/cni.yaml.download").path) https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/calico.yaml",
            "crictl pull docker.io/calico/cni:v3.29.1", "crictl pull docker.io/calico/node:v3.29.1",
            "systemctl enable cse-clear-status.service", "cloud-init clean --logs",
        ]), "\(run.calls.joined(separator: "\n"))")
        if ubuntu {
            let sources = try #require(harness.read("etc/apt/sources.list.d/cse-kubernetes.list"))
            #expect(sources == "deb [signed-by=\(harness.path("etc/apt/keyrings").path)/cse-kubernetes.gpg] https://pkgs.k8s.io/core:/stable:/v1.31/deb/ /\n")
            #expect(harness.read("etc/apt/sources.list.d/cse-containerd.list")?.contains("https://download.docker.com/linux/ubuntu \(os.ubuntuCodename) stable") == true)
            #expect(harness.read("etc/apt/keyrings/cse-kubernetes.gpg")?.contains("PGP PUBLIC KEY") == true)
        } else {
            let repo = try #require(harness.read("etc/yum.repos.d/cse-kubernetes.repo"))
            #expect(repo.contains("baseurl=https://pkgs.k8s.io/core:/stable:/v1.31/rpm/"))
            #expect(repo.contains("gpgkey=https://pkgs.k8s.io/core:/stable:/v1.31/rpm/repodata/repomd.xml.key"))
            #expect(run.calls(of: "apt-get").isEmpty)
        }
        let containerd = try #require(harness.read("etc/containerd/config.toml"))
        #expect(containerd.contains("SystemdCgroup = true") && containerd.contains("version = 2"))
        #expect(harness.read("etc/crictl.yaml")?.contains("runtime-endpoint: unix:///run/containerd/containerd.sock") == true)
        #expect(harness.read("etc/modules-load.d/cse-kubernetes.conf") == "overlay\nbr_netfilter\n")
        #expect(harness.read("etc/sysctl.d/99-cse-kubernetes.conf")?.contains("net.bridge.bridge-nf-call-iptables = 1") == true)
        #expect(harness.read("etc/sysctl.d/99-cse-kubernetes.conf")?.contains("net.ipv4.ip_forward = 1") == true)
        #expect(harness.read("etc/fstab")?.contains("\n# cse: kubelet needs swap off: /swap.img none swap sw 0 0") == true)
        #expect(harness.read("var/lib/cse/cni.yaml") == Stubs.manifest, "the manifest is baked into the template")
        #expect(harness.read("var/lib/cse/cni.yaml.sha256")?.hasPrefix(Stubs.manifestSHA256) == true)
        #expect(harness.read("etc/systemd/system/cse-clear-status.service")?.contains("ConditionPathExists=!\(harness.path("var/lib/cse").path)/bootstrapped") == true)
        #expect(harness.read("root/.ssh/authorized_keys") == F.adminKey + "\n")
        #expect(harness.read("etc/machine-id") == "", "clones must generate their own machine id")
        #expect(!run.calls.contains { $0.hasPrefix("docker") })
    }

    @Test func theRootPasswordGoesToChpasswdOnly() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let script = F.build(F.template())
        let run = try harness.run(script)

        #expect(run.exitCode == 0, "\(run.log)")
        // chpasswd -e gets a SHA-512 crypt hash of the password; neither the password nor any encoding of it is in
        // the script (which travels as user data vCD shows to the org's users).
        #expect(run.calls.contains("chpasswd -e"))
        let line = try #require(harness.read("chpasswd.stdin"))
        #expect(line.hasPrefix("root:$6$") && line.hasSuffix("\n"))
        let hash = String(line.dropFirst("root:".count).dropLast())
        #expect(PasswordHash.verify(F.rootPassword, hash: hash), "the hash is the password's")
        #expect(!PasswordHash.verify(F.rootPassword + "x", hash: hash))
        #expect(!script.contains(F.rootPassword) && !script.contains(Data(F.rootPassword.utf8).base64EncodedString()))
        for text in [run.log, run.console, run.calls.joined(separator: "\n")] { #expect(!text.contains(F.rootPassword)) }
    }

    /// cse's hashes are what an independent implementation makes: openssl's `passwd -6` with the same salt.
    @Test func theHashIsStandardSHA512Crypt() throws {
        let salt = "cseSalt0123456/."
        let ours = try PasswordHash.sha512Crypt("s3cret pass:word", salt: salt)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["passwd", "-6", "-salt", salt, "-stdin"]
        let input = Pipe(), output = Pipe()
        openssl.standardInput = input
        openssl.standardOutput = output
        try openssl.run()
        input.fileHandleForWriting.write(Data("s3cret pass:word\n".utf8))
        try input.fileHandleForWriting.close()
        let theirs = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        #expect(ours == theirs)
        #expect(ours.hasPrefix("$6$\(salt)$"))
        #expect(try PasswordHash.sha512Crypt("same") != PasswordHash.sha512Crypt("same"), "a fresh salt each time")
    }

    @Test func aMissingPasswordIsAnErrorBeforeAnyScript() {
        let scripts = BootstrapScripts(sealingKey: F.scripts.sealingKey, environment: [:])
        #expect(throws: SecretError.unset(.environment("CSE_ROOT_PASSWORD"))) { try scripts.templateBootstrap(for: F.template()) }
    }

    @Test func aWrongManifestDigestStopsTheBuild() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let wrong = String(repeating: "0", count: 64)
        let run = try harness.run(F.build(F.template(cniSHA256: wrong)))

        #expect(run.exitCode != 0)
        #expect(GuestContract.report(run.extraConfig) == .failed(phase: "images", reason: "phase images: the Calico 3.29.1 manifest does not have SHA-256 \(wrong)"))
        #expect(harness.read("var/lib/cse/cni.yaml") == nil, "an unchecked manifest is never kept")
        #expect(run.calls(of: "crictl").isEmpty)
    }

    @Test func mirrorsRegistryAndProxyForAirGappedClouds() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.template(packages: F.mirror)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains("curl -fsSL https://mirror.example.com/k8s/key.asc"))
        #expect(!run.calls.contains { $0.contains("pkgs.k8s.io") || $0.contains("download.docker.com") })
        #expect(harness.read("etc/apt/sources.list.d/cse-kubernetes.list")?.hasSuffix("] https://mirror.example.com/k8s/ /\n") == true)
        #expect(harness.read("etc/apt/sources.list.d/cse-containerd.list") == nil)
        let hosts = try #require(harness.read("etc/containerd/certs.d/registry.k8s.io/hosts.toml"))
        #expect(hosts.contains("server = \"https://registry.k8s.io\"") && hosts.contains("[host.\"https://registry.example.com\"]"))
        #expect(harness.read("etc/containerd/certs.d/docker.io/hosts.toml")?.contains("registry.example.com") == true)
        let proxy = try #require(harness.read("etc/systemd/system/containerd.service.d/cse-proxy.conf"))
        #expect(proxy.contains("Environment=\"HTTPS_PROXY=http://proxy.example.com:3128\"") && proxy.contains("NO_PROXY=10.0.0.0/8"))
    }

    @Test(arguments: ["1.0", "2.0"])
    func legacyPhotonInstallsDockerFromTheMirror(version: String) throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.legacyTemplate(.photon, version: version)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains("tdnf install -y docker-17.06.0 kubernetes-1.8.1 kubernetes-kubeadm-1.8.1"))
        #expect(run.calls.contains("docker pull registry.example.com/kube-apiserver-amd64:v1.8.1"))
        #expect(run.calls.contains("docker pull docker.io/calico/cni:v3.29.1"), "the mirror's manifest images")
        #expect(harness.read("etc/yum.repos.d/cse-kubernetes.repo")?.contains("baseurl=https://mirror.example.com/k8s/") == true)
        #expect(harness.read("etc/docker/daemon.json") == "{\"registry-mirrors\": [\"https://registry.example.com\"]}\n")
        #expect(run.calls(of: "cloud-init").isEmpty, "no cloud-init on the seed's images")
    }

    @Test func legacyUbuntuInstallsTheSeedsVersionsFromTheMirror() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.legacyTemplate(.ubuntu)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(run.calls.contains("apt-get install -y -q docker-ce=17.09.0~ce-0~ubuntu kubelet=1.8.2-* kubeadm=1.8.2-* kubectl=1.8.2-*"))
        #expect(run.calls.contains("apt-mark hold docker-ce kubelet kubeadm kubectl"))
        #expect(run.calls.contains("curl -fsSL -o \(harness.path("var/lib/cse/cni.yaml.download").path) https://mirror.example.com/weave-2.0.5.yaml"))
    }

    @Test func precustomizationDoesNothing() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.template()), argument: "precustomization")

        #expect(run.exitCode == 0)
        #expect(run.calls.isEmpty)
        #expect(run.guestinfo.isEmpty)
    }

    @Test func keysWithQuotesStayOneLiteralLine() throws {
        let key = "ssh-rsa AAAA it's $(touch pwned) `x`"
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(F.build(F.template(adminKey: key)))

        #expect(run.exitCode == 0, "\(run.log)")
        #expect(harness.read("root/.ssh/authorized_keys") == key + "\n")
        #expect(!FileManager.default.fileExists(atPath: harness.path("pwned").path))
    }

    /// The script a clone inherits clears the template's `done` at its first boot.
    @Test func theClearStatusScriptEmptiesTheStatusKeys() throws {
        let harness = try ScriptHarness()
        defer { harness.remove() }
        let run = try harness.run(StatusReset.script)

        #expect(run.exitCode == 0)
        #expect(run.guestinfo.map(\.key) == [GuestContract.statusKey, GuestContract.phaseKey, GuestContract.reasonKey])
        #expect(GuestContract.report(run.extraConfig) == .notStarted)
    }
}
