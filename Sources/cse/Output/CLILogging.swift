import Foundation
import Logging

/// swift-log set up for the CLI: stderr, and for the service also a log file.
enum CLILogging {
    static func logger(verbose: Bool, file: String? = nil, level: String = "info") -> Logger {
        let chosen = verbose ? Logger.Level.debug : (Logger.Level(rawValue: level) ?? .info)
        let fileHandle = file.flatMap(LogFile.open)
        var logger = Logger(label: "cse") { label in
            var handlers: [any LogHandler] = [StreamLogHandler.standardError(label: label)]
            if let fileHandle { handlers.append(FileLogHandler(label: label, file: fileHandle)) }
            return MultiplexLogHandler(handlers)
        }
        logger.logLevel = verbose || file != nil ? chosen : .warning
        return logger
    }
}

/// A log file opened for appending; lines are written whole.
final class LogFile: Sendable {
    let handle: FileHandle

    private init(handle: FileHandle) { self.handle = handle }

    /// Opens (creating it and its folder when missing) the log file; nil, with a line on stderr, when it cannot.
    static func open(_ path: String) -> LogFile? {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            FileHandle.standardError.write(Data("warning: cannot write the log file \(path); logging to stderr only\n".utf8))
            return nil
        }
        handle.seekToEndOfFile()
        return LogFile(handle: handle)
    }

    func write(_ line: String) { handle.write(Data(line.utf8)) }
}

struct FileLogHandler: LogHandler {
    let label: String
    let file: LogFile
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Date().formatted(.iso8601)
        file.write("\(time) \(event.level) \(label): \(event.message)\n")
    }
}
