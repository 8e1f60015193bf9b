import Foundation
import GuestSecrets
import Testing
@testable import VCDSim

/// The audit's scan flags what an org's users could read in clear, and not ciphertext.
@Suite struct ClearTextSecretScanTests {
    @Test func clearSecretsAreFlaggedAndSealedOnesAreNot() async throws {
        let kubeconfig = "apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTg==\n"
        let join = "kubeadm join 10.0.0.2:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00"
        #expect(ClearTextSecretScan.secret(in: kubeconfig) == "kubeconfig credentials")
        #expect(ClearTextSecretScan.secret(in: Data(kubeconfig.utf8).base64EncodedString()) == "kubeconfig credentials")
        #expect(ClearTextSecretScan.secret(in: Data(join.utf8).base64EncodedString()) == "kubeadm join token")
        #expect(ClearTextSecretScan.secret(in: "-----BEGIN RSA PRIVATE KEY-----\nMII...") == "private key")
        #expect(ClearTextSecretScan.secret(in: "password: hunter2") == "password")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-scan-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try await InstallationKeys.load(directory: directory).current
        #expect(ClearTextSecretScan.secret(in: try key.seal(Data(kubeconfig.utf8))) == nil)
        #expect(ClearTextSecretScan.secret(in: try key.seal(Data(join.utf8))) == nil)
        for harmless in ["done", "publish", "1764547200", "in_progress", "kubeadm-init"] {
            #expect(ClearTextSecretScan.secret(in: harmless) == nil)
        }
    }
}
