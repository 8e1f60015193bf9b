import Foundation

/// Tasks an API extension creates for tenants (vCD's tasksList of the tenant's org), so a client can poll
/// them like any vCD task.
extension VCDSession {
    /// Creates a running task in `org`, owned by the org, for its users to see; its User is this session's user.
    /// Returns its href.
    public func createExtensionTask(org orgName: String, operation: String, operationName: String,
                                    ownerName: String) async throws -> String {
        let org = try await self.org(named: orgName)
        guard let tasksList = org.link(rel: "down", type: MediaType.tasksList) else {
            throw VCDError(status: 0, message: "org \(orgName) offers no tasks list", request: "GET org")
        }
        let user = try await sessionUserReference()
        let body = taskXML(status: "running", operation: operation, operationName: operationName, orgHref: org["href"] ?? "",
                           orgName: orgName, user: user, ownerName: ownerName, error: nil)
        let task = try await send("POST", tasksList.href, xml: body, contentType: MediaType.task)
        guard let href = task["href"] else { throw VCDError(status: 0, message: "vCD returned a task without href", request: "POST tasksList") }
        return href
    }

    /// Moves an extension task on: `success`, `error` (with the reason the tenant sees) or `running` with a new message.
    public func updateExtensionTask(_ href: String, status: VCDTask.Status, operation: String, error: String? = nil) async throws {
        let current = try await get(href)
        let owner = current.first("Owner")
        let user: UserReference
        if let listed = current.first("User"), let href = listed["href"] {
            user = UserReference(name: listed["name"] ?? "", href: href)
        } else {
            user = try await sessionUserReference()
        }
        let body = taskXML(status: status.rawValue, operation: operation, operationName: current["operationName"] ?? "cluster operation",
                           orgHref: owner?["href"] ?? "", orgName: owner?["name"] ?? "", user: user,
                           ownerName: owner?["name"] ?? "", error: error)
        _ = try await send("PUT", href, contentType: MediaType.task, body: Data(body.utf8))
    }

    struct UserReference {
        var name: String
        var href: String
    }

    /// The user this session is logged in as, as a reference (its href from the session's `userId`, SessionInfo).
    func sessionUserReference() async throws -> UserReference {
        let info = try await connect()
        guard let href = info.userHref else {
            throw VCDError(status: 0, message: "vCD's session names no user id, so a task cannot reference its user", request: "GET /api/session")
        }
        return UserReference(name: info.user, href: href)
    }

    /// A Task document (task.xsd TaskType): Owner, Error, User, ..., Details in this order; User is a ReferenceType,
    /// whose `href` is required.
    private nonisolated func taskXML(status: String, operation: String, operationName: String, orgHref: String, orgName: String,
                                     user: UserReference, ownerName: String, error: String?) -> String {
        XMLWriter.element("Task", ["xmlns": XMLWriter.vcloud, "status": status, "serviceNamespace": "vcloud.cse", "type": MediaType.task,
                                   "operation": operation, "operationName": operationName, "name": "task"],
            XMLWriter.element("Owner", ["href": orgHref, "name": orgName, "type": MediaType.org])
            + (error.map { XMLWriter.element("Error", ["majorErrorCode": "500", "minorErrorCode": "INTERNAL_SERVER_ERROR", "message": $0]) } ?? "")
            + XMLWriter.element("User", ["href": user.href, "name": user.name, "type": "application/vnd.vmware.admin.user+xml"])
            + XMLWriter.element("Details", [:], ""))
    }
}
