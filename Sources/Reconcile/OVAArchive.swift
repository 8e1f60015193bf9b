import Foundation
import VCDClient

/// The files of an OVA on disk: a POSIX tar archive (ustar) holding the OVF descriptor, its disks and a manifest.
/// Only the 512-byte headers are read; each member is handed on as a byte range of the archive.
enum OVAArchive {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func files(at path: String) throws -> [(name: String, source: OVFFileSource)] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let length = Int64(try handle.seekToEnd())
        var files: [(name: String, source: OVFFileSource)] = []
        var offset: Int64 = 0
        while offset + 512 <= length {
            try handle.seek(toOffset: UInt64(offset))
            let header = try handle.read(upToCount: 512) ?? Data()
            guard header.count == 512 else { break }
            if header.allSatisfy({ $0 == 0 }) { break }  // end of archive
            let name = text(header, 0, 100)
            let prefix = text(header, 345, 155)
            guard let size = Int64(text(header, 124, 12).trimmingCharacters(in: .whitespaces), radix: 8) else {
                throw Malformed(description: "the OVA's tar header for '\(name)' has no size")
            }
            let type = header[header.startIndex + 156]
            let start = offset + 512
            guard start + size <= length else { throw Malformed(description: "the OVA is truncated in '\(name)'") }
            // Regular files only ("0" or NUL); directories and extended headers carry nothing to upload.
            if type == UInt8(ascii: "0") || type == 0 {
                let full = prefix.isEmpty ? name : prefix + "/" + name
                files.append((String(full.split(separator: "/").last ?? Substring(full)), OVFFileSource(path: path, offset: start, size: size)))
            }
            offset = start + (size + 511) / 512 * 512
        }
        guard !files.isEmpty else { throw Malformed(description: "the OVA holds no files") }
        return files
    }

    private static func text(_ header: Data, _ from: Int, _ length: Int) -> String {
        let bytes = header[(header.startIndex + from)..<(header.startIndex + from + length)].prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
