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

    func createTask(org: String, user: String, operation: String, clusterName: String, clusterID: String) async throws -> String {
        try await session.createExtensionTask(org: org, operation: "\(operation) cluster \(clusterName) (\(clusterID))",
                                              operationName: "cluster \(operation)", ownerName: org)
    }
}
