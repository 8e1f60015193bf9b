import Foundation

/// The template's root password as the build script carries it: base64 in one variable, fed to `chpasswd` on its
/// standard input (never an argument, never echoed; the ERR trap prints commands unexpanded). `masked` renders the
/// script for `cse bootstrap show`.
public enum RootPassword: Sendable, Equatable {
    case value(String)
    case masked

    static let variable = "cse_root_password_b64"
    public static let mask = "********"

    var assignment: String {
        switch self {
        case .value(let password): return "\(Self.variable)=\(Shell.quoted(Data(password.utf8).base64EncodedString()))"
        case .masked: return "\(Self.variable)=\(Shell.quoted(Self.mask))  # masked: the secret is filled in when the VM is created"
        }
    }

    static var setCommands: String {
        #"""
        printf 'root:%s\n' "$(printf '%s' "$\#(variable)" | base64 -d)" | chpasswd
        unset \#(variable)
        """#
    }
}
