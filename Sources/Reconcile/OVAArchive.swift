import Foundation

/// The files of an OVA: a POSIX tar archive (ustar) holding the OVF descriptor, its disks and a manifest.
enum OVAArchive {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func files(_ data: Data) throws -> [(name: String, data: Data)] {
        var files: [(name: String, data: Data)] = []
        var offset = data.startIndex
        while offset + 512 <= data.endIndex {
            let header = data[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }  // end of archive
            let name = text(header, 0, 100)
            let prefix = text(header, 345, 155)
            guard let size = Int(text(header, 124, 12).trimmingCharacters(in: .whitespaces), radix: 8) else {
                throw Malformed(description: "the OVA's tar header for '\(name)' has no size")
            }
            let type = header[header.startIndex + 156]
            let start = offset + 512
            guard start + size <= data.endIndex else { throw Malformed(description: "the OVA is truncated in '\(name)'") }
            // Regular files only ("0" or NUL); directories and extended headers carry nothing to upload.
            if type == UInt8(ascii: "0") || type == 0 {
                let full = prefix.isEmpty ? name : prefix + "/" + name
                files.append((String(full.split(separator: "/").last ?? Substring(full)), Data(data[start..<(start + size)])))
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
