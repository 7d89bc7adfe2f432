import Glibc

/// Writes records as JSON lines on standard output. Output is buffered for throughput;
/// tools that stream (fabric-wait) flush after each record so the next tool starts at once.
public final class RecordWriter {
    public static let standardOutput = RecordWriter(fd: 1)

    private let fd: Int32
    private var buffer: [UInt8] = []
    public var flushEachRecord = false

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ record: JSON) {
        record.encode(into: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        if flushEachRecord || buffer.count >= 1 << 16 { flush() }
    }

    /// A record that is already compact JSON text (as the store keeps it), written as is.
    public func write(text: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: text.bindMemory(to: UInt8.self))
        buffer.append(UInt8(ascii: "\n"))
        if flushEachRecord || buffer.count >= 1 << 16 { flush() }
    }

    public func write(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if flushEachRecord || buffer.count >= 1 << 16 { flush() }
    }

    /// A closed reader (`| head -1`) ends the process by SIGPIPE, quietly, as in any filter.
    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, buffer.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
