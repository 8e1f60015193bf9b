import Foundation
import TenantAPI

/// The answer to a message that is not a request cse can read.
enum MalformedMessage {
    static func reply(for error: any Error) -> ExtensionReply {
        guard let error = error as? MessageError else { return .error(400, "malformed request") }
        if case .tooLarge = error { return .error(413, error.description) }
        return .error(400, error.description)
    }

    /// The request id if the body is readable enough to hold one, so vCD can match the answer.
    static func requestID(in body: Data) -> String? {
        guard body.count <= ExtensionRequest.maxMessageBytes,
              let array = (try? JSONSerialization.jsonObject(with: body)) as? [Any],
              let request = array.first as? [String: Any] else { return nil }
        return request["id"] as? String
    }
}
