/// An answer other than success, as vCD spells it: HTTP status plus an `Error` document.
enum SimFault: Error, Sendable {
    case badRequest(String)
    case busy(String)
    case unauthorized
    /// 401 with a reason (a login at the wrong endpoint).
    case unauthorizedBecause(String)
    case forbidden(String)
    case notFound(String)
    case methodNotAllowed(String)
    case notAcceptable(String)
    case duplicateName(String)
    case internalError(String)
    case unavailable(String)
    case gatewayTimeout(String)
    /// Drop the connection without an answer (an injected reset).
    case reset

    var status: Int {
        switch self {
        case .badRequest, .busy, .duplicateName: return 400
        case .unauthorized, .unauthorizedBecause: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .methodNotAllowed: return 405
        case .notAcceptable: return 406
        case .internalError, .reset: return 500
        case .unavailable: return 503
        case .gatewayTimeout: return 504
        }
    }

    var minorErrorCode: String {
        switch self {
        case .badRequest: return "BAD_REQUEST"
        case .busy: return "BUSY_ENTITY"
        case .unauthorized, .unauthorizedBecause: return "UNAUTHORIZED"
        case .forbidden: return "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
        case .notFound: return "RESOURCE_NOT_FOUND"
        case .methodNotAllowed: return "METHOD_NOT_ALLOWED"
        case .notAcceptable: return "NOT_ACCEPTABLE"
        case .duplicateName: return "DUPLICATE_NAME"
        case .internalError, .reset: return "INTERNAL_SERVER_ERROR"
        case .unavailable: return "SERVICE_UNAVAILABLE"
        case .gatewayTimeout: return "GATEWAY_TIMEOUT"
        }
    }

    var message: String {
        switch self {
        case .badRequest(let message), .busy(let message), .forbidden(let message), .notFound(let message),
             .methodNotAllowed(let message), .notAcceptable(let message), .unauthorizedBecause(let message), .duplicateName(let message), .internalError(let message),
             .unavailable(let message), .gatewayTimeout(let message):
            return message
        case .unauthorized: return "This operation is denied: not logged in or the session has expired."
        case .reset: return "connection reset"
        }
    }

    var document: String {
        XMLOut.element("Error", ["xmlns": "http://www.vmware.com/vcloud/v1.5", "stackTrace": "", "majorErrorCode": String(status),
                                 "minorErrorCode": minorErrorCode, "message": message])
    }
}
