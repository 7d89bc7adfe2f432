import FabricRecords

/// Compute API microversions: the newest fabric understands, and what the cloud's version
/// document offers. Each feature is used only where the negotiated version has it.
enum Microversion {
    typealias Version = (major: Int, minor: Int)

    /// The newest microversion whose request and response shapes fabric handles.
    static let newestUnderstood: Version = (2, 90)
    /// `personality` (--files) was removed in 2.57.
    static let lastWithPersonality: Version = (2, 56)
    /// `networks` became required in 2.37 ("auto" or "none" allowed).
    static let networksRequired: Version = (2, 37)

    static func parse(_ text: String) -> Version? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    static func less(_ a: Version, _ b: Version) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    static func text(_ v: Version) -> String { "\(v.major).\(v.minor)" }

    /// The version document's URL: the compute endpoint cut after its /v2.1 (real clouds often
    /// append the project id to it).
    static func documentURL(compute: String) -> String {
        if let range = compute.range(of: "/v2.1") { return String(compute[..<range.upperBound]) + "/" }
        return compute.hasSuffix("/") ? compute : compute + "/"
    }

    /// The range the cloud supports, from `{"version": {"min_version", "version"}}`.
    static func supported(_ document: JSON) -> (min: Version, max: Version)? {
        guard let version = document["version"], let max = version["version"]?.string.flatMap(parse) else { return nil }
        return (version["min_version"]?.string.flatMap(parse) ?? (2, 1), max)
    }
}

extension String {
    func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var start = startIndex
        while let end = index(start, offsetBy: needle.count, limitedBy: endIndex) {
            if self[start..<end] == needle { return start..<end }
            start = index(after: start)
        }
        return nil
    }
}
