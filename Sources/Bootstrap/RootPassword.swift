import Foundation

/// The template's root password as the build script carries it: only its SHA-512 crypt hash (`PasswordHash`), fed to
/// `chpasswd -e` on its standard input (never an argument, never echoed; the ERR trap prints commands unexpanded).
/// The clear password never leaves cse, so the build VM's user data (which vCD shows to users who can read the VM)
/// holds no password; cse also clears that user data before the VM is captured (`CloudInitUserData.cleared`).
/// `masked` renders the script for `cse bootstrap show`.
public enum RootPassword: Sendable, Equatable {
    /// A SHA-512 crypt hash (`$6$SALT$HASH`).
    case hashed(String)
    case masked

    /// The hash of `password` with a fresh random salt.
    public static func hashing(_ password: String) throws -> RootPassword {
        .hashed(try PasswordHash.sha512Crypt(password))
    }

    static let variable = "cse_root_password_hash"
    public static let mask = "********"

    var assignment: String {
        switch self {
        case .hashed(let hash):
            // The hash's `$` signs are literal: single quotes on purpose.
            return "# shellcheck disable=SC2016\n\(Self.variable)=\(Shell.quoted(hash))"
        case .masked: return "\(Self.variable)=\(Shell.quoted(Self.mask))  # masked: the hash is filled in when the VM is created"
        }
    }

    static var setCommands: String {
        #"""
        printf 'root:%s\n' "$\#(variable)" | chpasswd -e
        unset \#(variable)
        """#
    }
}
