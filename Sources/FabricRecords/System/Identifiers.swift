/// A random (version 4) UUID in its usual lower-case text form.
public func makeUUID() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = bytes.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined()
    let characters = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
}

public func isUUID(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 36 else { return false }
    for (index, byte) in bytes.enumerated() {
        if [8, 13, 18, 23].contains(index) {
            if byte != UInt8(ascii: "-") { return false }
        } else if !(byte >= 48 && byte <= 57 || byte >= 97 && byte <= 102 || byte >= 65 && byte <= 70) {
            return false
        }
    }
    return true
}

extension String {
    package func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// An id a cloud gave (a server, image, port or floating IP, on any provider) that fabric puts
/// into a URL path: the identifier rule (Identifier.swift) for such ids. An id with `/`, `?`,
/// `#`, `%`, spaces or other bytes would name another resource or another API
/// (`../os-keypairs/x` deleted a key pair), so it is refused before any request.
public func checkResourceID(_ id: String, _ what: String) throws(FabricError) {
    try Identifier.resource(what).check(id)
}

/// `id` as one URL path segment, after the check above: the last guard, wherever a URL is built.
public func pathSegment(_ id: String) throws(FabricError) -> String {
    try checkResourceID(id, "id")
    return id
}

extension String {
    /// Every `target` replaced, without Foundation (a name of its own: Foundation's
    /// replacingOccurrences(of:with:), which takes any string, is what tests and users know).
    package func replacingEvery(_ target: Character, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
