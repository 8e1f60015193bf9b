import CRabbitMQ
import Foundation

/// Owns copies of the strings handed to rabbitmq-c as `amqp_bytes_t`, so no pointer into a temporary Swift
/// string outlives its call. Everything is freed when the arena goes; keep it alive across the C call.
final class CBuffers {
    private var allocations: [UnsafeMutableRawPointer] = []

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ source: [UInt8]) -> amqp_bytes_t {
        guard !source.isEmpty else { return amqp_empty_bytes }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: source.count, alignment: 1)
        source.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: source.count) }
        allocations.append(buffer)
        return amqp_bytes_t(len: source.count, bytes: buffer)
    }

    /// A headers table of UTF-8 string values, its entries owned by the arena.
    func table(_ headers: [String: String]) -> amqp_table_t {
        guard !headers.isEmpty else { return amqp_empty_table }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: headers.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        for (index, (key, value)) in headers.sorted(by: { $0.key < $1.key }).enumerated() {
            var field = amqp_field_value_t()
            field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            field.value.bytes = bytes(value)
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field))
        }
        return amqp_table_t(num_entries: Int32(headers.count), entries: entries)
    }

    deinit {
        for allocation in allocations { allocation.deallocate() }
    }
}

extension amqp_bytes_t {
    /// A Swift copy of bytes owned by rabbitmq-c.
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }

    var string: String { String(decoding: data, as: UTF8.self) }
}

extension amqp_table_t {
    /// String-valued view: strings as they are, numbers and booleans as text, other kinds dropped.
    var stringValues: [String: String] {
        var result: [String: String] = [:]
        guard num_entries > 0, let entries else { return result }
        for entry in UnsafeBufferPointer(start: entries, count: Int(num_entries)) {
            if let value = entry.value.text { result[entry.key.string] = value }
        }
        return result
    }
}

extension amqp_field_value_t {
    var text: String? {
        switch Int(kind) {
        case Int(AMQP_FIELD_KIND_UTF8.rawValue), Int(AMQP_FIELD_KIND_BYTES.rawValue): return value.bytes.string
        case Int(AMQP_FIELD_KIND_BOOLEAN.rawValue): return value.boolean != 0 ? "true" : "false"
        case Int(AMQP_FIELD_KIND_I8.rawValue): return String(value.i8)
        case Int(AMQP_FIELD_KIND_U8.rawValue): return String(value.u8)
        case Int(AMQP_FIELD_KIND_I16.rawValue): return String(value.i16)
        case Int(AMQP_FIELD_KIND_U16.rawValue): return String(value.u16)
        case Int(AMQP_FIELD_KIND_I32.rawValue): return String(value.i32)
        case Int(AMQP_FIELD_KIND_U32.rawValue): return String(value.u32)
        case Int(AMQP_FIELD_KIND_I64.rawValue): return String(value.i64)
        case Int(AMQP_FIELD_KIND_U64.rawValue), Int(AMQP_FIELD_KIND_TIMESTAMP.rawValue): return String(value.u64)
        default: return nil
        }
    }
}

extension timeval {
    init(_ duration: Duration) {
        let parts = duration.components
        self.init(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
    }
}
