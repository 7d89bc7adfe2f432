// libFuzzer target: the record reader (framing, jansson parsing, error positions) and the
// key=value, nic and block-device option parsers, all on the same input. Any crash, trap or
// sanitizer report fails the run; thrown FabricErrors are the expected answer to bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeRawBufferPointer(start: start, count: count))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? RecordReader.records(in: text, source: "fuzz")
    _ = try? parseKeyValue(text, option: "--fuzz")
    _ = try? parseCount(text, option: "--fuzz", range: 1...1000)
    _ = try? Nic.parse(text, option: "--private-nics", allowFixedIP: true)
    _ = try? Nic.parse(text, option: "--public-nics", allowFixedIP: false)
    _ = try? BlockDevice.parse(text)
    return 0
}
