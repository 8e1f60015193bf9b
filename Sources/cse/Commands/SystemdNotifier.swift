import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how `cse run` is doing, for a unit with `Type=notify`: READY=1 once the service serves, STATUS= lines
/// for `systemctl status`, STOPPING=1 when a signal arrived. The protocol is sd_notify(3)'s: one datagram of
/// newline-separated KEY=VALUE assignments to the AF_UNIX socket named by $NOTIFY_SOCKET, a file system path or, with a
/// leading "@", an abstract socket. Without $NOTIFY_SOCKET (not started by systemd) it does nothing.
struct SystemdNotifier: Sendable {
    let socket: String?
    let logger: Logger

    init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        socket = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.logger = logger
    }

    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    func status(_ text: String) { send("STATUS=\(text)") }
    func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    /// Sends `message`; a failure is logged once per message and never stops the service (systemd then says the
    /// unit did not become ready, which is the right signal).
    private func send(_ message: String) {
        guard let socket else { return }
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            logger.warning("cannot tell systemd '\(message.split(separator: "\n")[0])': socket: \(String(cString: strerror(errno)))")
            return
        }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // An abstract socket's name starts with a NUL byte where NOTIFY_SOCKET has "@", and has no terminating NUL.
        let abstract = socket.hasPrefix("@")
        var path = Array(socket.utf8)
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else {
            logger.warning("cannot tell systemd: NOTIFY_SOCKET is longer than \(capacity - 1) bytes")
            return
        }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            bytes.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))
        let sent = message.utf8CString.withUnsafeBufferPointer { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddress in
                    sendto(descriptor, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), sockaddress, length)
                }
            }
        }
        if sent < 0 {
            logger.warning("cannot tell systemd '\(message.split(separator: "\n")[0])': \(String(cString: strerror(errno)))")
        }
    }
}
