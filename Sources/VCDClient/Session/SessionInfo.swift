import Foundation

/// The logged-in user as vCD describes it: the legacy `Session` XML (`user`, `userId`, `org`, links) or the
/// cloudapi Session JSON (`user` {name, id}, `org` {name, id}).
public struct SessionInfo: Sendable {
    public var user: String
    /// `urn:vcloud:user:<uuid>`.
    public var userID: String?
    public var org: String
    /// The user's reference href, `<base>/api/admin/user/<uuid>`: what a `User` ReferenceType (a task's owner user)
    /// needs. vCD's user resource lives there (vCloud API `GET /admin/user/{id}`, AdminUserType).
    public var userHref: String?
    public var links: [XMLTree.Link]
    public var roles: [String]

    /// From the legacy `Session` XML (`POST /api/sessions`, `GET /api/session`).
    public init(_ tree: XMLTree, baseURL: String? = nil) throws {
        guard tree.name == "Session" else { throw VCDError(status: 0, message: "expected a Session, got \(tree.name)", request: "session") }
        user = tree["user"] ?? ""
        userID = tree["userId"]
        org = tree["org"] ?? ""
        links = tree.links
        roles = tree["roles"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        userHref = Self.userHref(baseURL: baseURL, userID: userID)
    }

    /// From the cloudapi Session JSON (`POST /cloudapi/1.0.0/sessions[/provider]`, `GET .../sessions/current`).
    public init(json data: Data, baseURL: String? = nil) throws {
        struct Reference: Decodable { var name: String?; var id: String? }
        struct Session: Decodable { var user: Reference?; var org: Reference?; var roles: [String]? }
        let session: Session
        do {
            session = try JSONDecoder().decode(Session.self, from: data)
        } catch {
            throw VCDError(status: 0, message: "the cloudapi session answer is not a Session: \(error)", request: "session")
        }
        guard let user = session.user?.name, let org = session.org?.name else {
            throw VCDError(status: 0, message: "the cloudapi session answer names no user or org", request: "session")
        }
        self.user = user
        self.org = org
        userID = session.user?.id
        links = []
        roles = session.roles ?? []
        userHref = Self.userHref(baseURL: baseURL, userID: userID)
    }

    public var isSystemAdministrator: Bool { org.lowercased() == "system" }

    static func userHref(baseURL: String?, userID: String?) -> String? {
        guard let baseURL, let userID, userID.hasPrefix("urn:vcloud:user:") else { return nil }
        return baseURL + "/api/admin/user/" + userID.dropFirst("urn:vcloud:user:".count)
    }
}
