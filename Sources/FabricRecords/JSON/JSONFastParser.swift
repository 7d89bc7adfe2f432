import CJansson
import Glibc

/// Builds jansson values straight from the bytes of the JSON records pipes carry: ASCII strings
/// with simple escapes, integers, objects, arrays, literals. jansson's own json_loadb reads its
/// input one byte at a time through a stream callback with UTF-8 decoding, about 260 instructions
/// a byte (callgrind on `fabric-store add`: 44% of the run); this reads it in place.
///
/// It only ever answers for text whose meaning is plain. Anything else (a \u escape, a byte
/// above 0x7F, a number with a fraction or exponent, an integer of more than 18 digits, very deep
/// nesting, any syntax error) gives nil, and `JSON.decode` hands the text to jansson, which
/// builds the same value or reports the error with its line and column.
struct JSONFastParser {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var index = 0
    private var depth = 0
    /// Unescaped string bytes, for strings that had escapes.
    private var scratch: [UInt8] = []

    private static let maximumDepth = 512

    static func parse(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<json_t>? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var parser = JSONFastParser(base: base, count: bytes.count)
        guard let value = parser.value() else { return nil }
        parser.skipWhitespace()
        guard parser.index == parser.count else {
            json_decref(value)
            return nil
        }
        return value
    }

    private init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    private mutating func skipWhitespace() {
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, consumed; nil at the end.
    private mutating func nextToken() -> UInt8? {
        skipWhitespace()
        guard index < count else { return nil }
        defer { index += 1 }
        return base[index]
    }

    private mutating func value() -> UnsafeMutablePointer<json_t>? {
        skipWhitespace()
        guard index < count else { return nil }
        switch base[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string { json_stringn_nocheck($0, $1) }
        case UInt8(ascii: "t"): return literal("true") { json_true() }
        case UInt8(ascii: "f"): return literal("false") { json_false() }
        case UInt8(ascii: "n"): return literal("null") { json_null() }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
        default: return nil
        }
    }

    private mutating func object() -> UnsafeMutablePointer<json_t>? {
        index += 1
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, let object = json_object() else { return nil }
        skipWhitespace()
        if index < count && base[index] == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipWhitespace()
            guard index < count, base[index] == UInt8(ascii: "\""), member(of: object) else {
                json_decref(object)
                return nil
            }
            switch nextToken() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return object
            default:
                json_decref(object)
                return nil
            }
        }
    }

    /// Reads `"key": value` into `object`; false when it cannot.
    private mutating func member(of object: UnsafeMutablePointer<json_t>) -> Bool {
        guard scanString() else { return false }
        // An escaped key's bytes sit in `scratch`, which the value may reuse: keep a copy.
        let unescapedKey = stringEscaped ? scratch : nil
        let rawKey = (start: stringStart, length: stringLength)
        guard nextToken() == UInt8(ascii: ":"), let value = value() else { return false }
        let status: Int32
        if let unescapedKey {
            status = unescapedKey.withUnsafeBytes {
                json_object_setn_new_nocheck(object, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count, value)
            }
        } else {
            status = json_object_setn_new_nocheck(object, UnsafeRawPointer(base + rawKey.start).assumingMemoryBound(to: CChar.self),
                                                  rawKey.length, value)
        }
        return status == 0
    }

    private mutating func array() -> UnsafeMutablePointer<json_t>? {
        index += 1
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, let array = json_array() else { return nil }
        skipWhitespace()
        if index < count && base[index] == UInt8(ascii: "]") {
            index += 1
            return array
        }
        while true {
            guard let item = value(), json_array_append_new(array, item) == 0 else {
                json_decref(array)
                return nil
            }
            switch nextToken() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return array
            default:
                json_decref(array)
                return nil
            }
        }
    }

    /// The last string scanned: where its bytes start in the input and how many there are, or,
    /// when it had escapes, its unescaped bytes in `scratch`.
    private var stringStart = 0
    private var stringLength = 0
    private var stringEscaped = false

    private mutating func string(_ make: (UnsafePointer<CChar>, Int) -> UnsafeMutablePointer<json_t>?) -> UnsafeMutablePointer<json_t>? {
        guard scanString() else { return nil }
        if stringEscaped {
            return scratch.withUnsafeBytes { make($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        }
        return make(UnsafeRawPointer(base + stringStart).assumingMemoryBound(to: CChar.self), stringLength)
    }

    /// Scans the string whose opening quote is at `index`; false if it is not plain.
    private mutating func scanString() -> Bool {
        let start = index + 1
        var cursor = start
        var run = start
        stringEscaped = false
        scratch.removeAll(keepingCapacity: true)
        while true {
            guard cursor < count else { return false }
            let byte = base[cursor]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 && byte < 0x80 else { return false }
            if byte != UInt8(ascii: "\\") {
                cursor += 1
                continue
            }
            guard cursor + 1 < count else { return false }
            let unescaped: UInt8
            switch base[cursor + 1] {
            case UInt8(ascii: "\""): unescaped = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): unescaped = UInt8(ascii: "\\")
            case UInt8(ascii: "/"): unescaped = UInt8(ascii: "/")
            case UInt8(ascii: "b"): unescaped = 0x08
            case UInt8(ascii: "f"): unescaped = 0x0C
            case UInt8(ascii: "n"): unescaped = 0x0A
            case UInt8(ascii: "r"): unescaped = 0x0D
            case UInt8(ascii: "t"): unescaped = 0x09
            default: return false
            }
            stringEscaped = true
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + run, count: cursor - run))
            scratch.append(unescaped)
            cursor += 2
            run = cursor
        }
        if stringEscaped { scratch.append(contentsOf: UnsafeBufferPointer(start: base + run, count: cursor - run)) }
        stringStart = start
        stringLength = cursor - start
        index = cursor + 1
        return true
    }

    private mutating func literal(_ word: StaticString, _ make: () -> UnsafeMutablePointer<json_t>?) -> UnsafeMutablePointer<json_t>? {
        let length = word.utf8CodeUnitCount
        guard count - index >= length, memcmp(base + index, word.utf8Start, length) == 0 else { return nil }
        index += length
        return make()
    }

    /// An integer of at most 18 digits (it fits json_int_t); anything longer or with a fraction
    /// or exponent goes to jansson, whose range checks and real parsing are the reference.
    private mutating func integer() -> UnsafeMutablePointer<json_t>? {
        var cursor = index
        let negative = base[cursor] == UInt8(ascii: "-")
        if negative { cursor += 1 }
        let digits = cursor
        var value: Int64 = 0
        while cursor < count, base[cursor] >= UInt8(ascii: "0"), base[cursor] <= UInt8(ascii: "9") {
            if cursor - digits == 18 { return nil }
            value = value * 10 + Int64(base[cursor] - UInt8(ascii: "0"))
            cursor += 1
        }
        guard cursor > digits, !(base[digits] == UInt8(ascii: "0") && cursor - digits > 1) else { return nil }
        if cursor < count {
            switch base[cursor] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        index = cursor
        return json_integer(json_int_t(negative ? -value : value))
    }
}
