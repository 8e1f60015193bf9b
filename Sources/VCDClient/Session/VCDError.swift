/// An `Error` answer from vCD, or another answer cse cannot use.
public struct VCDError: Error, CustomStringConvertible, Sendable, Equatable {
    public var status: Int
    public var majorErrorCode: String?
    public var minorErrorCode: String?
    public var message: String
    /// Method and path (no query, no body, no token).
    public var request: String

    public init(status: Int, majorErrorCode: String? = nil, minorErrorCode: String? = nil, message: String, request: String) {
        self.status = status
        self.majorErrorCode = majorErrorCode
        self.minorErrorCode = minorErrorCode
        self.message = message
        self.request = request
    }

    /// vCD allows one change at a time per entity: another task holds it.
    public var isBusyEntity: Bool { minorErrorCode == "BUSY_ENTITY" }
    public var isTransient: Bool { status >= 500 || status == 429 || isBusyEntity }
    public var isNotFound: Bool { status == 404 || status == 403 && minorErrorCode == "ACCESS_TO_RESOURCE_IS_FORBIDDEN" }

    public var description: String {
        let code = [minorErrorCode, majorErrorCode].compactMap { $0 }.first.map { " \($0)" } ?? ""
        return "\(request): HTTP \(status)\(code): \(message)"
    }
}
