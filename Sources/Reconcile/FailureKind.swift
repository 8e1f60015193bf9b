import VCDClient

/// How an action's failure is handled, decided from vCD's `minorErrorCode` and HTTP status (vCD's `Error`
/// document, vCloud API reference: majorErrorCode is the HTTP status, minorErrorCode the resource-specific code)
/// rather than from "every 4xx is permanent".
enum FailureKind: Equatable, Sendable {
    /// Retry soon: vCD busy or unavailable, a task timed out, the network failed.
    case transient
    /// What the action acted on changed under it (gone, or not in the state the snapshot showed): plan again from a
    /// fresh observation. Not a failure of the object.
    case stale
    /// vCD refused the request itself (BAD_REQUEST): permanent when a fresh observation leads to the same refusal.
    case refused
    /// Needs a change in the spec or in vCD (a name taken by someone else, a reference vCD rejects, no permission).
    case permanent

    static func of(_ error: any Error) -> FailureKind {
        switch error {
        case let error as ExecutionError:
            if case .permanent = error { return .permanent }
            return .transient
        case let error as VCDError: return of(error)
        default: return .transient
        }
    }

    static func of(_ error: VCDError) -> FailureKind {
        switch error.minorErrorCode {
        case "BUSY_ENTITY", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT", "REQUEST_TIMEOUT", "UNAUTHORIZED",
             "CONFLICT", "OPERATION_LIMITS_EXCEEDED":
            return .transient
        case "RESOURCE_NOT_FOUND", "ACCESS_TO_RESOURCE_IS_FORBIDDEN":
            // vCD answers 403 ACCESS_TO_RESOURCE_IS_FORBIDDEN for an entity that no longer exists (go-vcloud-director's
            // ContainsNotFound treats it so): the snapshot was older than the cloud.
            return .stale
        case "DUPLICATE_NAME", "INVALID_REFERENCE", "METHOD_NOT_ALLOWED", "NOT_ACCEPTABLE", "UNSUPPORTED_MEDIA_TYPE":
            return .permanent
        case "BAD_REQUEST":
            return .refused
        default:
            break
        }
        switch error.status {
        case 0, 401, 408, 409, 429, 500...: return .transient
        case 404: return .stale
        case 400: return .refused
        default: return .permanent
        }
    }
}
