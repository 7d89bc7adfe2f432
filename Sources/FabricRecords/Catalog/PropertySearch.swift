/// The spec's image and flavor search: `key=value` properties compared with the equal
/// operator only. Keys are case-insensitive and take the spec's spellings (minDisk, minRam) as
/// well as the API's (min_disk, min_ram); numeric properties are compared as numbers.
public struct PropertySearch {
    public enum Catalog: String {
        case image, flavor

        /// Numeric properties, whose values must parse as numbers.
        var numericKeys: Set<String> {
            switch self {
            case .image: ["min_disk", "min_ram", "size"]
            case .flavor: ["vcpus", "ram", "disk", "swap", "ephemeral", "rxtx_factor"]
            }
        }

        package var option: String { "--\(rawValue)" }
    }

    public struct Property {
        public let key: String
        public let value: String
        let number: Double?
    }

    public let catalog: Catalog
    public let properties: [Property]

    /// Maps what users type to the property name: case and '-'/'_' do not matter.
    static func canonicalKey(_ key: String, in catalog: Catalog) -> String {
        let folded = key.lowercased().replacingEvery("-", with: "_")
        switch folded.replacingEvery("_", with: "") {
        case "mindisk": return "min_disk"
        case "minram": return "min_ram"
        case "rxtxfactor": return "rxtx_factor"
        default: return folded
        }
    }

    public init(_ catalog: Catalog, _ texts: [String]) throws(FabricError) {
        self.catalog = catalog
        var properties: [Property] = []
        for text in texts {
            let (rawKey, value) = try parseKeyValue(text, option: catalog.option)
            let key = PropertySearch.canonicalKey(rawKey, in: catalog)
            var number: Double?
            if catalog.numericKeys.contains(key) {
                guard let parsed = Double(value.trimmingSpaces), parsed.isFinite, parsed >= 0 else {
                    throw FabricError.usage("\(catalog.option) \(quoted(text)): \(key) must be a non-negative number")
                }
                number = parsed
            }
            properties.append(Property(key: key, value: value, number: number))
        }
        self.properties = properties
    }

    public var isEmpty: Bool { properties.isEmpty }

    public var summary: String { properties.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") }

    public func matches(_ item: JSON) -> Bool {
        properties.allSatisfy { property in
            guard let value = item[property.key] else { return false }
            if let wanted = property.number { return value.number == wanted || Double(value.scalarText ?? "") == wanted }
            return value.scalarText == property.value
        }
    }

    /// Matches in a stable order (by name, then id), so the first is the same every run.
    public func select(from items: [JSON]) -> [JSON] {
        items.filter(matches).sorted { a, b in
            let left = (a["name"]?.scalarText ?? "", a["id"]?.scalarText ?? "")
            let right = (b["name"]?.scalarText ?? "", b["id"]?.scalarText ?? "")
            return left < right
        }
    }
}

/// What an image needs of a flavor (spec: minDisk, minRam): a flavor with less memory, or a
/// smaller root disk, cannot boot it. A root disk of 0 means "as large as the image", as in Nova.
public struct ImageRequirement {
    public let minDisk: Double
    public let minRam: Double
    public let imageName: String

    /// The image in a record from fabric-find-image, or nil when it names no minimums.
    public init?(image: JSON?) {
        guard let image else { return nil }
        minDisk = image["min_disk"]?.number ?? 0
        minRam = image["min_ram"]?.number ?? 0
        imageName = image["name"]?.scalarText ?? image["id"]?.scalarText ?? "?"
        if minDisk <= 0 && minRam <= 0 { return nil }
    }

    public func fits(_ flavor: JSON) -> Bool {
        let disk = flavor["disk"]?.number ?? 0
        return (disk == 0 || disk >= minDisk) && (flavor["ram"]?.number ?? 0) >= minRam
    }

    package var summary: String {
        "image \(imageName) needs min_disk \(wholeNumber(minDisk)) GB and min_ram \(wholeNumber(minRam)) MB"
    }
}

private func wholeNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
