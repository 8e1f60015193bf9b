import Foundation
import TenantAPI
import VCDClient

/// The caller of a forwarded request is whoever vCD says holds its session token (`GET /api/session`),
/// never a name in the body.
struct VCDCallers: CallerResolver {
    let session: VCDSession

    func caller(for request: ExtensionRequest) async throws -> Caller? {
        // Validated in the header it came in: a Bearer JWT is never replayed as x-vcloud-authorization.
        guard let token = SessionToken(requestHeaders: request.headers), let info = try await session.validate(tenantToken: token) else { return nil }
        return Caller(user: info.user, org: info.org, isSystemAdministrator: info.isSystemAdministrator, userHref: info.userHref)
    }
}

/// Tenant tasks are real vCD tasks in the tenant's org, created through the extension task API.
struct VCDTaskPublisher: TaskPublisher {
    let session: VCDSession

    func existingTask(org: String, operation: String, clusterName: String, clusterID: String) async throws -> String? {
        // The org's tasks list (vCD API: GET tasksList, newest first) shows the extension tasks made in it.
        let orgTree = try await session.org(named: org)
        guard let list = orgTree.link(rel: "down", type: MediaType.tasksList) else { return nil }
        let text = Self.operationText(operation, clusterName: clusterName, clusterID: clusterID)
        return try await session.get(list.href).all("Task").first { $0["operation"] == text && $0["status"] == "running" }?["href"]
    }

    static func operationText(_ operation: String, clusterName: String, clusterID: String) -> String {
        "\(operation) cluster \(clusterName) (\(clusterID))"
    }

    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String {
        try await session.createExtensionTask(org: org, operation: Self.operationText(operation, clusterName: clusterName, clusterID: clusterID),
                                              operationName: "cluster \(operation)", ownerName: org)
    }
}
