/// Who cse logs in as. The password is kept out of every description.
public struct Credentials: Sendable, CustomStringConvertible {
    public var user: String
    public var org: String
    let password: String

    public init(user: String, org: String, password: String) {
        self.user = user
        self.org = org
        self.password = password
    }

    public var description: String { "\(user)@\(org)" }
}
