import Crypto
import Foundation
import _CryptoExtras

/// A secret a guest publishes, sealed to one of the installation's public keys so that only cse can read it:
///
///     cse-sealed:1:KEYID:WRAPPED:IV:CIPHERTEXT:MAC
///
/// - 64 random bytes: the first 32 an AES-256 key, the last 32 an HMAC-SHA256 key;
/// - WRAPPED: those 64 bytes encrypted to the public key KEYID with RSA-OAEP (SHA-256, MGF1-SHA-256), base64;
/// - IV: 16 random bytes, hex; CIPHERTEXT: the secret in AES-256-CBC with PKCS#7 padding, base64;
/// - MAC: HMAC-SHA256 with the second key over everything before `:MAC` (encrypt-then-MAC), base64.
///
/// A guest does it with `openssl rand`, `openssl enc -aes-256-cbc`, `openssl dgst -mac HMAC` and `openssl pkeyutl`
/// (`GuestContract.sealFunction`). Every field is checked before anything is decrypted.
public struct SealedSecret: Sendable, Equatable {
    public static let prefix = "cse-sealed"
    public static let version = "1"

    public var keyID: String
    public var wrappedKey: Data
    public var iv: Data
    public var ciphertext: Data
    public var mac: Data

    public init(keyID: String, wrappedKey: Data, iv: Data, ciphertext: Data, mac: Data) {
        self.keyID = keyID
        self.wrappedKey = wrappedKey
        self.iv = iv
        self.ciphertext = ciphertext
        self.mac = mac
    }

    /// Whether a value looks sealed (not whether it opens).
    public static func isSealed(_ text: String) -> Bool { text.hasPrefix("\(prefix):\(version):") }

    public init(_ text: String) throws(SealedSecretError) {
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == Self.prefix else { throw .malformed("not a cse-sealed value") }
        guard fields[1] == Self.version else { throw .malformed("sealed with version \(fields[1]); this cse reads \(Self.version)") }
        guard !fields[2].isEmpty, fields[2].allSatisfy(\.isHexDigit) else { throw .malformed("bad key id") }
        guard let wrapped = Data(base64Encoded: fields[3]), !wrapped.isEmpty else { throw .malformed("bad wrapped key") }
        guard let iv = Data(hex: fields[4]), iv.count == 16 else { throw .malformed("bad IV") }
        guard let ciphertext = Data(base64Encoded: fields[5]), !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { throw .malformed("bad ciphertext") }
        guard let mac = Data(base64Encoded: fields[6]), mac.count == 32 else { throw .malformed("bad MAC") }
        self.init(keyID: fields[2].lowercased(), wrappedKey: wrapped, iv: iv, ciphertext: ciphertext, mac: mac)
    }

    /// What the MAC covers: the text up to (not including) `:MAC`.
    var authenticatedText: String {
        [Self.prefix, Self.version, keyID, wrappedKey.base64EncodedString(), iv.hex, ciphertext.base64EncodedString()].joined(separator: ":")
    }

    public var text: String { authenticatedText + ":" + mac.base64EncodedString() }

    /// Seals `secret` to `publicKey` (the simulator's guests and tests do what a real guest does with openssl).
    public static func seal(_ secret: Data, to publicKey: _RSA.Encryption.PublicKey, keyID: String) throws -> SealedSecret {
        let keys = SymmetricKey(size: .init(bitCount: 512)).withUnsafeBytes { Data($0) }
        let encryptionKey = SymmetricKey(data: keys.prefix(32))
        let macKey = SymmetricKey(data: keys.suffix(32))
        let ivBytes = SymmetricKey(size: .init(bitCount: 128)).withUnsafeBytes { Data($0) }
        let ciphertext = try AES._CBC.encrypt(secret, using: encryptionKey, iv: AES._CBC.IV(ivBytes: Array(ivBytes)))
        let wrapped = try publicKey.encrypt(keys, padding: .PKCS1_OAEP_SHA256)
        var sealed = SealedSecret(keyID: keyID, wrappedKey: wrapped, iv: ivBytes, ciphertext: ciphertext, mac: Data())
        sealed.mac = Data(HMAC<SHA256>.authenticationCode(for: Data(sealed.authenticatedText.utf8), using: macKey))
        return sealed
    }

    /// Seals `secret` to a public key in PEM (SubjectPublicKeyInfo), as a guest holds it.
    public static func seal(_ secret: Data, toPublicKeyPEM pem: String, keyID: String) throws -> SealedSecret {
        try seal(secret, to: _RSA.Encryption.PublicKey(pemRepresentation: pem), keyID: keyID)
    }

    /// Whether `pem` is an RSA public key a guest could seal to.
    public static func isUsablePublicKey(_ pem: String) -> Bool {
        (try? _RSA.Encryption.PublicKey(pemRepresentation: pem)) != nil
    }

    /// The secret, when `privateKey` is the key it was sealed to and nothing was changed.
    public func open(with privateKey: _RSA.Encryption.PrivateKey) throws(SealedSecretError) -> Data {
        let keys: Data
        do {
            keys = try privateKey.decrypt(wrappedKey, padding: .PKCS1_OAEP_SHA256)
        } catch {
            throw .cannotOpen("the wrapped key does not open with key \(keyID)")
        }
        guard keys.count == 64 else { throw .cannotOpen("the wrapped key has \(keys.count) bytes, not 64") }
        let macKey = SymmetricKey(data: keys.suffix(32))
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(authenticatedText.utf8), using: macKey) else {
            throw .cannotOpen("the MAC does not match: the value was changed")
        }
        do {
            return try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: keys.prefix(32)), iv: AES._CBC.IV(ivBytes: Array(iv)))
        } catch {
            throw .cannotOpen("the ciphertext does not decrypt")
        }
    }
}

public enum SealedSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownKey(String)
    case cannotOpen(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "sealed secret is malformed: \(why)"
        case .unknownKey(let id): return "sealed to key \(id), which this installation does not hold"
        case .cannotOpen(let why): return "sealed secret does not open: \(why)"
        }
    }
}

extension Data {
    init?(hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
