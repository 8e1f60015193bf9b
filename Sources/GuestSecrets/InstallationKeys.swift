import Crypto
import Foundation
import Glibc
import _CryptoExtras

/// One of the installation's key pairs: guests seal what they publish to its public key.
public struct InstallationKey: Sendable {
    /// The first 16 hex digits of the SHA-256 of the public key's DER form.
    public let id: String
    /// What a guest gets with its bootstrap (SubjectPublicKeyInfo PEM, as `openssl pkeyutl -pubin` reads).
    public let publicKeyPEM: String
    /// PKCS#8 PEM (swift-crypto's RSA keys are not Sendable; the text is).
    private let privateKeyPEM: String

    init(privateKey: _RSA.Encryption.PrivateKey) {
        privateKeyPEM = privateKey.pemRepresentation
        publicKeyPEM = privateKey.publicKey.pemRepresentation
        id = String(SHA256.hash(data: privateKey.publicKey.derRepresentation).map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    public func publicKey() throws -> _RSA.Encryption.PublicKey { try _RSA.Encryption.PublicKey(pemRepresentation: publicKeyPEM) }
    func privateKey() throws -> _RSA.Encryption.PrivateKey { try _RSA.Encryption.PrivateKey(pemRepresentation: privateKeyPEM) }

    /// Seals `secret` to this key (what a guest does with `GuestSealScript`).
    public func seal(_ secret: Data) throws -> String {
        try SealedSecret.seal(secret, to: publicKey(), keyID: id).text
    }
}

/// The installation's key pairs, kept in a directory beside the store (mode 0700; each private key a PEM file of
/// mode 0600, `<id>.pem`; `current` names the key new guests get). Rotation adds a key and makes it current; older
/// keys stay until no VM uses them. Private keys are never logged or printed.
public struct InstallationKeys: Sendable {
    public let directory: String
    public let current: InstallationKey
    public let all: [String: InstallationKey]

    /// `<store>.keys`, beside the store file.
    public static func directory(forStore storePath: String) -> String { storePath + ".keys" }

    /// Loads the keys, creating the directory and a first key pair when there are none.
    public static func openOrCreate(directory: String) throws -> InstallationKeys {
        let files = FileManager.default
        if !files.fileExists(atPath: directory) {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return try locked(directory) { try loadOrCreate(directory: directory) }
    }

    private static func loadOrCreate(directory: String) throws -> InstallationKeys {
        if let keys = try load(directory: directory) { return keys }
        _ = try add(to: directory)
        guard let keys = try load(directory: directory) else { throw InstallationKeysError("no key in \(directory) after creating one") }
        return keys
    }

    /// `openOrCreate` on a thread of its own: making an RSA-3072 key pair takes a CPU for a fraction of a second (seconds
    /// in a debug build under load), which must not hold one of the few threads Swift concurrency runs on.
    public static func load(directory: String) async throws -> InstallationKeys {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try openOrCreate(directory: directory) }) }
        }
    }

    /// Adds a new key pair and makes it current; returns the new key set.
    public func rotated() throws -> InstallationKeys {
        try Self.locked(directory) { try rotatedLocked() }
    }

    private func rotatedLocked() throws -> InstallationKeys {
        _ = try Self.add(to: directory)
        guard let keys = try Self.load(directory: directory) else { throw InstallationKeysError("no key in \(directory) after rotating") }
        return keys
    }

    /// Removes keys that are neither current nor in `used` (the key ids VMs' sealed values name); returns their ids.
    public func removingUnused(keeping used: Set<String>) throws -> [String] {
        let unused = all.keys.filter { $0 != current.id && !used.contains($0) }.sorted()
        try Self.locked(directory) {
            for id in unused { try FileManager.default.removeItem(atPath: Self.keyPath(directory, id)) }
        }
        return unused
    }

    /// Opens a sealed value with the key it names.
    public func open(_ text: String) throws(SealedSecretError) -> Data {
        let sealed = try SealedSecret(text)
        guard let key = all[sealed.keyID] else { throw .unknownKey(sealed.keyID) }
        let privateKey: _RSA.Encryption.PrivateKey
        do { privateKey = try key.privateKey() } catch { throw .cannotOpen("key \(key.id) does not load") }
        return try sealed.open(with: privateKey)
    }

    // MARK: files

    private static func keyPath(_ directory: String, _ id: String) -> String { (directory as NSString).appendingPathComponent("\(id).pem") }
    private static func currentPath(_ directory: String) -> String { (directory as NSString).appendingPathComponent("current") }

    private static func load(directory: String) throws -> InstallationKeys? {
        var keys: [String: InstallationKey] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".pem") {
            let path = (directory as NSString).appendingPathComponent(name)
            let pem = try String(contentsOfFile: path, encoding: .utf8)
            let key: InstallationKey
            do {
                key = InstallationKey(privateKey: try _RSA.Encryption.PrivateKey(pemRepresentation: pem))
            } catch {
                throw InstallationKeysError("\(path) is not an RSA private key in PEM")
            }
            keys[key.id] = key
        }
        guard !keys.isEmpty else { return nil }
        let named = (try? String(contentsOfFile: currentPath(directory), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let named, let current = keys[named] else {
            throw InstallationKeysError("\(currentPath(directory)) does not name one of the keys in \(directory)")
        }
        return InstallationKeys(directory: directory, current: current, all: keys)
    }

    private static func add(to directory: String) throws -> InstallationKey {
        let key = InstallationKey(privateKey: try _RSA.Encryption.PrivateKey(keySize: .bits3072))
        try writePrivate(key.privateKey().pemRepresentation, to: keyPath(directory, key.id))
        // Replace `current` atomically: a crash leaves the old or the new name, never a torn one.
        let temporary = currentPath(directory) + ".tmp"
        try Data("\(key.id)\n".utf8).write(to: URL(fileURLWithPath: temporary))
        _ = rename(temporary, currentPath(directory))
        return key
    }

    /// Runs `body` holding the directory's lock (`flock` on `.lock`): two cse processes starting on a new store make
    /// one key pair, and nobody reads a key ring half written.
    private static func locked<T>(_ directory: String, _ body: () throws -> T) throws -> T {
        let path = (directory as NSString).appendingPathComponent(".lock")
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw InstallationKeysError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw InstallationKeysError("cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Creates the file with mode 0600 from the start (never readable by others, even briefly).
    private static func writePrivate(_ text: String, to path: String) throws {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw InstallationKeysError("cannot create \(path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
    }
}

public struct InstallationKeysError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
