import Foundation

/// Random UUIDs (version 4, RFC 9562 section 5.4) from the standard library's system generator (getrandom). On Linux,
/// Foundation's `UUID()` opens, reads and closes /dev/urandom for each one (strace of `cse bench amqp`), three system
/// calls the tenant path would pay on every create.
enum RandomUUID {
    /// A new object's uid: a random UUID in lowercase text.
    static func objectUID() -> String { make().uuidString.lowercased() }

    static func make() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &words) { bytes in
            bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4 in the high nibble of octet 6
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 0b10 in the high bits of octet 8
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        }
    }
}
