import Logging
import VCDClient

/// The in-process vCD simulator cse uses when config.yaml names no vCD.
enum EmbeddedVCD {
    static func open(stateDirectory: String, logger: Logger) async throws -> VCDConnection {
        throw EmbeddedVCDError.unavailable
    }
}

enum EmbeddedVCDError: Error, CustomStringConvertible {
    case unavailable

    var description: String { "no vCD configured (config.yaml `vcd` section) and the embedded simulator is not built into this cse" }
}
