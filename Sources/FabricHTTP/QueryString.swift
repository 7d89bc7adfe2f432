
/// A URL's query or a form body: name=value pairs joined with "&", each part percent-encoded as
/// RFC 3986 says (what EC2's signature and OpenStack's filters both expect). A name may repeat:
/// Neutron ORs repeated filters.
public struct QueryString {
    private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    public mutating func add(_ name: String, _ value: String) { pairs.append((name, value)) }

    /// `name=value` once for each value.
    public mutating func add<S: Sequence<String>>(_ name: String, each values: S) {
        for value in values { add(name, value) }
    }

    public var encoded: String {
        pairs.map { Self.encode($0.name) + "=" + Self.encode($0.value) }.joined(separator: "&")
    }

    /// The URL with these pairs as its query (after those it has); the URL alone when there are none.
    public func appended(to url: String) -> String {
        pairs.isEmpty ? url : url + (url.contains("?") ? "&" : "?") + encoded
    }

    /// Percent-encodes all but RFC 3986's unreserved characters.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}
