import Bootstrap
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

    /// User data is read as cloud-init reads it and deeper: a script inside a cloud-config's `write_files` entry
    /// (`encoding: b64`), base64 values inside the script, gzip+base64.
    @Test func nestedEncodingsDoNotHideSecrets() throws {
        func userData(_ script: String) -> String {
            CloudInitUserData.extraConfig(script: script).first { $0.key == CloudInitUserData.userDataKey }!.value
        }
        let join = "kubeadm join 10.0.0.2:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00"
        let nodeScript = "#!/bin/bash\nCSE_JOIN_COMMAND_B64='\(Data(join.utf8).base64EncodedString())'\n"
        #expect(ClearTextSecretScan.secret(in: userData(nodeScript)) == "kubeadm join token")
        let valid = ClearTextSecretScan(validTokens: ["abcdef.0123456789abcdef"])
        #expect(valid.secret(in: userData(nodeScript)) == "kubeadm join token (still valid)")

        let password = "correct horse battery"
        let oldTemplate = "#!/bin/bash\ncse_root_password_b64='\(Data(password.utf8).base64EncodedString())'\n"
        #expect(ClearTextSecretScan.secret(in: userData(oldTemplate)) == nil, "no pattern gives it away")
        #expect(ClearTextSecretScan(knownSecrets: [password]).secret(in: userData(oldTemplate)) == "a known secret")
        let hashed = "#!/bin/bash\ncse_root_password_hash='\(try PasswordHash.sha512Crypt(password))'\n"
        #expect(ClearTextSecretScan(knownSecrets: [password]).secret(in: userData(hashed)) == "password hash")

        let kubeconfig = "users:\n- name: admin\n  user:\n    client-key-data: S0VZ\n"
        let gzipped = try gzip(Data(kubeconfig.utf8)).base64EncodedString()
        #expect(ClearTextSecretScan.secret(in: gzipped) == "kubeconfig credentials")
        #expect(ClearTextSecretScan.secret(in: userData("#!/bin/bash\nbootstrap=true\n")) == nil)
    }

    /// gzip made by the system's gzip (an independent implementation).
    private func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }
}
