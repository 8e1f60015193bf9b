import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The receiving end of sd_notify(3), as systemd holds it for a `Type=notify` unit: an AF_UNIX datagram socket, bound
/// to a file system path or (a name starting with "@") to an abstract address. `environmentValue` is what
/// NOTIFY_SOCKET says to the service.
final class NotifySocket: @unchecked Sendable {
    let environmentValue: String
    private let descriptor: Int32
    private let path: String?

    /// `abstract`: bind an abstract address instead of a file.
    init(abstract: Bool) throws {
        let name = "cse-notify-\(UUID().uuidString.prefix(8))"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        if abstract {
            bytes = [0] + Array(name.utf8)
            path = nil
            environmentValue = "@" + name
        } else {
            let file = "/tmp/\(name).sock"
            bytes = Array(file.utf8) + [0]
            path = file
            environmentValue = file
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            Glibc.close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
    }

    /// Every datagram received within `timeout` until one satisfies `done` (each datagram's assignments, in order).
    func receive(timeout: Duration, until done: ([String]) -> Bool) async throws -> [String] {
        var received: [String] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").map(String.init)
                if done(received) { return received }
                continue
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return received
    }

    func close() {
        Glibc.close(descriptor)
        if let path { unlink(path) }
    }
}
