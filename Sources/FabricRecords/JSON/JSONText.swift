import CJansson
import Glibc

/// Where and why a JSON text failed to parse, in the terms jansson reports.
public struct JSONSyntaxError: Error {
    public let line: Int
    public let column: Int
    public let position: Int
    public let reason: String
}

extension JSON {
    /// Parses exactly one JSON value from `bytes` (anything after it is an error).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<JSON, JSONSyntaxError> {
        if let value = JSONFastParser.parse(bytes) { return .success(JSON(owning: value)) }
        var error = json_error_t()
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
              let value = json_loadb(base, bytes.count, Int(JSON_DECODE_ANY), &error)
        else {
            let reason = withUnsafeBytes(of: &error.text) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            return .failure(JSONSyntaxError(line: Int(error.line), column: Int(error.column), position: Int(error.position),
                                            reason: bytes.isEmpty ? "empty input" : reason))
        }
        return .success(JSON(owning: value))
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
        var text = text
        return try text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }.get()
    }

    /// Compact JSON text: no spaces, UTF-8 as is, numbers in their shortest exact form.
    public func encoded() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Written here rather than by json_dumpb because jansson prints reals with 17 digits
    /// (0.1 becomes 0.10000000000000001), which would change users' pass-through fields.
    public func encode(into out: inout [UInt8]) { JSON.encode(raw, into: &out) }

    /// Walks jansson's tree directly: wrapping each child in a JSON object cost an allocation,
    /// a reference count and a release per value (callgrind on `fabric-store add`).
    static func encode(_ value: UnsafeMutablePointer<json_t>, into out: inout [UInt8]) {
        switch fabric_json_type(value) {
        case JSON_OBJECT:
            out.append(UInt8(ascii: "{"))
            var first = true
            var iter = json_object_iter(value)
            while let current = iter {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                let key = fabric_json_iter_key(current)!
                encodeString(UnsafeRawBufferPointer(start: key, count: strlen(key)), into: &out)
                out.append(UInt8(ascii: ":"))
                encode(json_object_iter_value(current), into: &out)
                iter = json_object_iter_next(value, current)
            }
            out.append(UInt8(ascii: "}"))
        case JSON_ARRAY:
            out.append(UInt8(ascii: "["))
            for index in 0..<json_array_size(value) {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                encode(json_array_get(value, index), into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case JSON_STRING:
            encodeString(UnsafeRawBufferPointer(start: json_string_value(value), count: json_string_length(value)), into: &out)
        case JSON_INTEGER: encodeInteger(Int64(json_integer_value(value)), into: &out)
        case JSON_REAL: out.append(contentsOf: formatNumber(json_real_value(value)).utf8)
        case JSON_TRUE: out.append(contentsOf: "true".utf8)
        case JSON_FALSE: out.append(contentsOf: "false".utf8)
        default: out.append(contentsOf: "null".utf8)
        }
    }

    private static func encodeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var end = buffer.count
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[end...]).bindMemory(to: UInt8.self))
        }
    }

    /// Copies runs of bytes that need no escape in one append each: appending byte by byte was
    /// a quarter of `fabric-store add`'s instructions (callgrind, Tests/Benchmarks/run).
    static func encodeString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var run = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte == 0x7F else { continue }
            if run < index { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<index]).bindMemory(to: UInt8.self)) }
            run = index + 1
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            default:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48,
                                        hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 15)]])
            }
        }
        if run < bytes.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run...]).bindMemory(to: UInt8.self)) }
        out.append(UInt8(ascii: "\""))
    }
}

/// Swift's shortest round-trip form (1.0, 0.1, 1e+20) is valid JSON and reads back exactly.
func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    return value.description
}
