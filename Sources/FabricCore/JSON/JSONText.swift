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
    public func encode(into out: inout [UInt8]) {
        switch kind {
        case .null: out.append(contentsOf: "null".utf8)
        case .true: out.append(contentsOf: "true".utf8)
        case .false: out.append(contentsOf: "false".utf8)
        case .integer: out.append(contentsOf: String(json_integer_value(raw)).utf8)
        case .real: out.append(contentsOf: formatNumber(json_real_value(raw)).utf8)
        case .string:
            let chars = json_string_value(raw)!
            JSON.encodeString(UnsafeRawBufferPointer(start: chars, count: json_string_length(raw)), into: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for index in 0..<json_array_size(raw) {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSON(borrowing: json_array_get(raw, index)).encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            var first = true
            var iter = json_object_iter(raw)
            while let current = iter {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                let key = fabric_json_iter_key(current)!
                JSON.encodeString(UnsafeRawBufferPointer(start: key, count: strlen(key)), into: &out)
                out.append(UInt8(ascii: ":"))
                JSON(borrowing: json_object_iter_value(current)).encode(into: &out)
                iter = json_object_iter_next(raw, current)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func encodeString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Swift's shortest round-trip form (1.0, 0.1, 1e+20) is valid JSON and reads back exactly.
func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    return value.description
}
