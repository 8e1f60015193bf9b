import CCrypt
import Foundation

/// SHA-512 crypt (`$6$SALT$HASH`), the form `/etc/shadow` and `chpasswd -e` take on Ubuntu and Photon OS, made with
/// the system's crypt(3) (libxcrypt): the template's root password reaches the guest only as this hash.
public enum PasswordHash {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "crypt(3) could not make a SHA-512 crypt hash (is libcrypt's SHA-512 enabled?)" }
    }

    /// crypt(3)'s salt alphabet.
    static let saltAlphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A fresh random 16-character salt (the most SHA-512 crypt uses).
    public static func randomSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in saltAlphabet[Int(generator.next(upperBound: UInt64(saltAlphabet.count)))] })
    }

    /// The SHA-512 crypt hash of `password` with `salt` (random when nil).
    public static func sha512Crypt(_ password: String, salt: String? = nil) throws -> String {
        try crypt(password, setting: "$6$" + (salt ?? randomSalt()))
    }

    /// Whether `password` hashes to `hash` (any crypt(3) form: the setting is the hash itself).
    public static func verify(_ password: String, hash: String) -> Bool {
        (try? crypt(password, setting: hash)) == hash
    }

    private static func crypt(_ phrase: String, setting: String) throws -> String {
        var output = [CChar](repeating: 0, count: 512)
        let status = output.withUnsafeMutableBufferPointer { buffer in
            cse_crypt(phrase, setting, buffer.baseAddress, buffer.count)
        }
        guard status == 0 else { throw Failure() }
        return output.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
