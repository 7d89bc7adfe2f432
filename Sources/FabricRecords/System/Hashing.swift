/// FNV-1a, 64 bits: a stable digest for cache keys and idempotency tokens, which must come out
/// the same in every process and release; not a protection of what it digests.
package struct FNV1a {
    package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    package init() {}

    package mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }

    package static func hex(_ text: String) -> String {
        var hash = FNV1a()
        hash.add(text.utf8)
        return String(hash.value, radix: 16).leftPadded(to: 16)
    }
}
