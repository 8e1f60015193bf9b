import Foundation
import Testing
import GuestSecrets

@Suite struct GuestSecretsTests {
    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cse-keys-\(UUID().uuidString.prefix(8))").path
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func keysAreCreatedPrivateKeptAcrossOpensAndRotated() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = InstallationKeys.directory(forStore: root + "/store.sqlite")
        let keys = try await InstallationKeys.load(directory: directory)
        #expect(try mode(directory) == 0o700)
        #expect(try mode(directory + "/\(keys.current.id).pem") == 0o600)
        #expect(keys.current.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(try InstallationKeys.openOrCreate(directory: directory).current.id == keys.current.id)

        let sealedToOld = try keys.current.seal(Data("kubeconfig".utf8))
        let rotated = try keys.rotated()
        #expect(rotated.current.id != keys.current.id)
        #expect(Set(rotated.all.keys) == [keys.current.id, rotated.current.id])
        #expect(try InstallationKeys.openOrCreate(directory: directory).current.id == rotated.current.id)
        // A VM that still holds a value sealed to the old key keeps it alive.
        #expect(try rotated.removingUnused(keeping: [keys.current.id]).isEmpty)
        #expect(try rotated.open(sealedToOld) == Data("kubeconfig".utf8))
        #expect(try rotated.removingUnused(keeping: []) == [keys.current.id])
        let reloaded = try InstallationKeys.openOrCreate(directory: directory)
        #expect(Array(reloaded.all.keys) == [rotated.current.id])
        #expect(throws: SealedSecretError.unknownKey(keys.current.id)) { try reloaded.open(sealedToOld) }
    }

    @Test func aChangedOrForeignValueDoesNotOpen() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let keys = try await InstallationKeys.load(directory: root + "/a")
        let other = try await InstallationKeys.load(directory: root + "/b")
        let sealed = try SealedSecret.seal(Data("kubeadm join 10.0.0.2:6443 --token abcdef.0123456789abcdef".utf8),
                                           to: keys.current.publicKey(), keyID: keys.current.id)
        #expect(SealedSecret.isSealed(sealed.text))
        #expect(!sealed.text.contains("kubeadm"))

        var changed = sealed
        changed.ciphertext[0] ^= 1
        #expect(throws: SealedSecretError.cannotOpen("the MAC does not match: the value was changed")) { try keys.open(changed.text) }
        // Sealed to another installation's key: not ours to open.
        #expect(throws: SealedSecretError.unknownKey(keys.current.id)) { try other.open(sealed.text) }
        // Relabelled as another key: the wrapped key does not open with it.
        var relabelled = sealed
        relabelled.keyID = other.current.id
        #expect(throws: SealedSecretError.self) { try other.open(relabelled.text) }
        #expect(throws: SealedSecretError.self) { try keys.open("a2lja29uZmln") }
    }

    /// What a real guest does: the contract's shell function with the openssl CLI seals, swift-crypto opens.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is not installed (.ci/install-packages)"))
    func aValueSealedWithOpensslInShellOpensInCSE() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let keys = try await InstallationKeys.load(directory: root + "/keys")
        let publicKeyFile = root + "/cse.pub"
        try keys.current.publicKeyPEM.write(toFile: publicKeyFile, atomically: true, encoding: .utf8)
        // Larger than one block and not a multiple of 16, with bytes a shell could mangle.
        let secret = Data(("apiVersion: v1\nclusters:\n- cluster: {server: 'https://10.0.0.2:6443'}\n" + String(repeating: "x", count: 5000) + "\n\t$HOME `id`\n").utf8)
        let output = try await runBash("\(GuestSealScript.function)\n\(GuestSealScript.functionName) '\(publicKeyFile)' \(keys.current.id)", input: secret)
        let sealed = try #require(String(data: output, encoding: .utf8))
        #expect(SealedSecret.isSealed(sealed))
        #expect(!sealed.contains("apiVersion"))
        #expect(try keys.open(sealed) == secret)
    }

    private func runBash(_ script: String, input: Data) async throws -> Data {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/bash")
                process.arguments = ["-c", script]
                let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
                process.standardInput = stdin
                process.standardOutput = stdout
                process.standardError = stderr
                do {
                    try process.run()
                    try stdin.fileHandleForWriting.write(contentsOf: input)
                    try stdin.fileHandleForWriting.close()
                    let output = stdout.fileHandleForReading.readDataToEndOfFile()
                    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    if process.terminationStatus == 0 {
                        continuation.resume(returning: output)
                    } else {
                        continuation.resume(throwing: ShellFailure(description: String(decoding: errors, as: UTF8.self)))
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    struct ShellFailure: Error, CustomStringConvertible { var description: String }
}
