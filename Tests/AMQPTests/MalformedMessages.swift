import Foundation
import TenantAPI

/// Generated bad input for the consumer: every way a message body can be wrong, with the statuses the
/// answer may have.
enum MalformedMessages {
    struct Sample {
        var body: Data
        var status: ClosedRange<Int>
        /// Not decodable as a request at all (the service reports it as rejected).
        var isUnreadable: Bool
    }

    static func make(_ index: Int, using generator: inout SystemRandomNumberGenerator) -> Sample {
        func json(_ value: Any) -> Data { try! JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed) }
        func request(_ fields: [String: Any]) -> Data { json([fields]) }
        let valid: [String: Any] = ["id": "m-\(index)", "method": "POST", "requestUri": "/api/cluster",
                                    "headers": ["x-vcloud-authorization": "t-alice"], "body": ""]
        switch index % 14 {
        case 0:  // random bytes
            let count = Int.random(in: 1...300, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Random bytes could, very rarely, be valid JSON: a leading NUL keeps them unparseable.
            return Sample(body: Data([0] + bytes), status: 400...400, isUnreadable: true)
        case 1:  // truncated JSON
            let whole = json([valid])
            return Sample(body: whole.prefix(Int.random(in: 1..<whole.count, using: &generator)), status: 400...400, isUnreadable: true)
        case 2: return Sample(body: json(valid), status: 400...400, isUnreadable: true)  // an object, not an array
        case 3: return Sample(body: json([1, 2, 3]), status: 400...400, isUnreadable: true)
        case 4: return Sample(body: json([] as [Any]), status: 400...400, isUnreadable: true)
        case 5: return Sample(body: request(valid.filter { $0.key != "id" }), status: 400...400, isUnreadable: true)
        case 6: return Sample(body: request(valid.filter { $0.key != "method" }), status: 400...400, isUnreadable: true)
        case 7: return Sample(body: request(valid.merging(["requestUri": 42]) { $1 }), status: 400...400, isUnreadable: true)
        case 8: return Sample(body: request(valid.merging(["body": "abcde"]) { $1 }), status: 400...400, isUnreadable: true)  // bad base64
        case 9:  // too big: only a few of these (1 MiB each)
            if index % 140 == 9 {
                let padding = String(repeating: "x", count: ExtensionRequest.maxMessageBytes)
                return Sample(body: request(valid.merging(["padding": padding]) { $1 }), status: 413...413, isUnreadable: true)
            }
            return Sample(body: Data("{{{".utf8), status: 400...400, isUnreadable: true)
        case 10: return Sample(body: request(valid.merging(["requestUri": "/api/nothing/here"]) { $1 }), status: 404...404, isUnreadable: false)
        case 11: return Sample(body: request(valid.merging(["method": "PATCH"]) { $1 }), status: 405...405, isUnreadable: false)
        case 12:  // a create whose HTTP body is not JSON
            return Sample(body: request(valid.merging(["body": Data("name=c1".utf8).base64EncodedString()]) { $1 }), status: 400...400, isUnreadable: false)
        default:  // a good request from nobody vCD knows
            return Sample(body: request(valid.merging(["headers": ["x-vcloud-authorization": "forged"]]) { $1 }), status: 401...401, isUnreadable: false)
        }
    }
}
