import CZlib
import Foundation

/// gzip (or zlib) decompression for the audit, bounded so a hostile value cannot make it allocate without end.
enum Gunzip {
    static func isCompressed(_ data: Data) -> Bool { data.count > 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b }

    static func inflate(_ data: Data, limit: Int = 16 << 20) -> Data? {
        var stream = z_stream()
        guard cse_inflate_init_auto(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = [UInt8](data)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    output.append(target.baseAddress!, count: target.count - Int(stream.avail_out))
                }
            } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        return status == Z_STREAM_END ? output : nil
    }
}
