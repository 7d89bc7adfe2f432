import Glibc

/// Reads a stream of JSON objects separated by any whitespace, so `jq` output with or
/// without `-c` works. Values are framed here (one pass, strings and nesting tracked) and
/// each one is parsed by jansson, so a 10 MB record costs one read, not a re-parse per chunk.
public struct RecordReader {
    private let fd: Int32
    private let source: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// 1-based line of `buffer[start]` in the whole stream.
    private var line = 1
    private var lineStartOffset = 0
    private var consumed = 0

    public init(fd: Int32 = 0, source: String = "stdin") {
        self.fd = fd
        self.source = source
    }

    /// Reads records from a string, for tests and for tools that take records as arguments.
    public static func records(in text: String, source: String) throws(FabricError) -> [JSON] {
        var reader = RecordReader(fd: -1, source: source)
        reader.buffer = Array(text.utf8)
        reader.eof = true
        var result: [JSON] = []
        while let record = try reader.next() { result.append(record) }
        return result
    }

    public mutating func readAll() throws(FabricError) -> [JSON] {
        var result: [JSON] = []
        while let record = try next() { result.append(record) }
        return result
    }

    /// Whether more input is at hand without blocking: buffered bytes, or data ready on the
    /// descriptor. Lets a tool commit a batch while its writer upstream is still working.
    public var hasPendingInput: Bool {
        if buffer[start...].contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) { return true }
        if eof || fd < 0 { return false }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    /// The next object, or nil at the end of the stream.
    public mutating func next() throws(FabricError) -> JSON? {
        guard skipWhitespace() else { return nil }
        let valueLine = line
        let valueColumn = start + consumed - lineStartOffset + 1
        let first = buffer[start]
        guard first == UInt8(ascii: "{") else {
            throw FabricError.input("\(source): line \(valueLine), column \(valueColumn): expected a JSON object, found \(describe(first))")
        }
        let end = try frameObject(line: valueLine, column: valueColumn)
        let value: JSON
        switch buffer.withUnsafeBytes({ JSON.decode(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }) {
        case .success(let parsed):
            value = parsed
        case .failure(let error):
            if let cut = endOfCutShortRecord(from: start, to: end, line: valueLine, column: valueColumn) {
                throw FabricError.input("\(source): line \(cut.line), column \(cut.column) (byte \(cut.byte)): invalid JSON: the input ends inside the record that starts on line \(valueLine)")
            }
            let errorLine = valueLine + error.line - 1
            let errorColumn = error.line == 1 ? valueColumn + error.column - 1 : error.column
            throw FabricError.input("\(source): line \(errorLine), column \(errorColumn): invalid JSON: \(error.reason)")
        }
        advance(to: end)
        return value
    }

    /// Where a record that the end of input cut short stops: just after its last byte, as a
    /// line and column and a 1-based byte offset in the stream. nil when the record's braces
    /// close, so the error lies inside it and jansson's own position is the right one. (jansson
    /// reports a cut-short record at the start of the line after it: "column 0".)
    private func endOfCutShortRecord(from first: Int, to end: Int, line: Int, column: Int)
        -> (line: Int, column: Int, byte: Int)? {
        guard end == buffer.count, eof else { return nil }
        var last = end - 1
        while last > first, [0x20, 0x0A, 0x09, 0x0D].contains(buffer[last]) { last -= 1 }
        var depth = 0
        var inString = false
        var escaped = false
        var cutLine = line
        var lineStart = first - (column - 1)
        for index in first...last {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") {
                cutLine += 1
                lineStart = index + 1
            }
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
            }
        }
        guard depth > 0 || inString else { return nil }
        return (cutLine, last - lineStart + 2, consumed + last + 2)
    }

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case 0: "a NUL byte"
        case 0x21...0x7E: "'\(Character(Unicode.Scalar(byte)))'"
        default: "byte 0x\(String(byte, radix: 16))"
        }
    }

    /// Skips whitespace, reading more as needed; false at the end of the stream.
    private mutating func skipWhitespace() -> Bool {
        while true {
            while start < buffer.count {
                switch buffer[start] {
                case UInt8(ascii: "\n"):
                    start += 1
                    line += 1
                    lineStartOffset = start + consumed
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                    start += 1
                default:
                    return true
                }
            }
            if !fill() { return false }
        }
    }

    /// Finds the end of the object starting at `start`, reading more as needed.
    private mutating func frameObject(line: Int, column: Int) throws(FabricError) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while true {
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if inString {
                    if escaped { escaped = false }
                    else if byte == UInt8(ascii: "\\") { escaped = true }
                    else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index }
                default: break
                }
            }
            let offset = index - start
            // At the end of input the rest of the stream is the value: jansson says what is missing.
            if !fill() { return buffer.count }
            index = start + offset
        }
    }

    private mutating func advance(to end: Int) {
        for index in start..<end where buffer[index] == UInt8(ascii: "\n") {
            line += 1
            lineStartOffset = index + 1 + consumed
        }
        start = end
    }

    /// Reads another chunk, dropping what has been consumed; false at end of input.
    private mutating func fill() -> Bool {
        if eof { return false }
        if start > 0 {
            buffer.removeFirst(start)
            consumed += start
            start = 0
        }
        let chunk = max(65536, buffer.count)
        let oldCount = buffer.count
        buffer.reserveCapacity(oldCount + chunk)
        var got = 0
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        while true {
            got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + oldCount, chunk) }
            if got < 0 && errno == EINTR { continue }
            break
        }
        buffer.removeLast(chunk - max(got, 0))
        if got <= 0 {
            eof = true
            return false
        }
        return true
    }
}
