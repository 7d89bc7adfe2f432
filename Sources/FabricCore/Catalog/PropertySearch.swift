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

        var option: String { "--\(rawValue)" }
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
        let folded = key.lowercased().replacingOccurrences(of: "-", with: "_")
        switch folded.replacingOccurrences(of: "_", with: "") {
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

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// find-image and find-flavor's shared work: the properties given, or the provider's default
/// (matched by name or id) when none are; non-active images skipped unless status is asked for.
public func findInCatalog(_ catalog: PropertySearch.Catalog, properties texts: [String], provider: any Provider,
                          all: Bool) throws(FabricError) -> [JSON] {
    var search = try PropertySearch(catalog, texts)
    let defaultName = catalog == .image ? provider.record.defaultImage : provider.record.defaultFlavor
    var items = catalog == .image ? try provider.images() : try provider.flavors()
    if catalog == .image && !search.properties.contains(where: { $0.key == "status" }) {
        items = items.filter { $0["status"]?.string == "active" }
    }
    if search.isEmpty && all { return search.select(from: items) }
    if search.isEmpty {
        guard let defaultName else {
            throw FabricError.usage("no \(catalog.option) given and provider \(quoted(provider.record.id)) has no default \(catalog.rawValue)",
                                    hint: "give \(catalog.option) key=value or register the provider with --default_\(catalog.rawValue)")
        }
        let byID = items.filter { $0["id"]?.scalarText == defaultName }
        if !byID.isEmpty { return byID }
        search = try PropertySearch(catalog, ["name=" + defaultName])
    }
    let found = search.select(from: items)
    if found.isEmpty {
        throw FabricError.machine("no \(catalog.rawValue) on provider \(quoted(provider.record.id)) matches \(search.summary)",
                                  hint: "see: fabric-find-\(catalog.rawValue) -p \(provider.record.id) --all")
    }
    if found.count > 1 && !all {
        let names = found.prefix(5).map { $0["name"]?.scalarText ?? "?" }.joined(separator: ", ")
        warn("\(found.count) \(catalog.rawValue)s match \(search.summary) (\(names)\(found.count > 5 ? ", ..." : "")); using \(found[0]["name"]?.scalarText ?? "?")")
        return [found[0]]
    }
    return found
}
