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

    var summary: String {
        "image \(imageName) needs min_disk \(wholeNumber(minDisk)) GB and min_ram \(wholeNumber(minRam)) MB"
    }
}

private func wholeNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

/// A provider whose image catalogue is only part of its cloud's images (EC2: those of some
/// owners) says which part, so that "no image matches" does not read as "no such image".
protocol PartialImageCatalog {
    /// Ends the error, after "no image ... matches ...; ": which images were searched and the
    /// setting that widens that.
    var imageSearchScope: String { get }
}

/// find-image and find-flavor's shared work: the properties given, or the provider's default
/// (matched by name or id) when none are; non-active images skipped unless status is asked for;
/// flavors too small for `requirement` left out.
public func findInCatalog(_ catalog: PropertySearch.Catalog, properties texts: [String], provider: any Provider,
                          all: Bool, requirement: ImageRequirement? = nil) throws(FabricError) -> [JSON] {
    var search = try PropertySearch(catalog, texts)
    let defaultName = catalog == .image ? provider.record.defaultImage : provider.record.defaultFlavor
    var items = catalog == .image ? try provider.images() : try provider.flavors()
    if catalog == .image && !search.properties.contains(where: { $0.key == "status" }) {
        items = items.filter { $0["status"]?.string == "active" }
    }
    if search.isEmpty && all { return search.select(from: items).filter { requirement?.fits($0) ?? true } }
    if search.isEmpty {
        guard let defaultName else {
            throw FabricError.usage("no \(catalog.option) given and provider \(quoted(provider.record.id)) has no default \(catalog.rawValue)",
                                    hint: "give \(catalog.option) key=value or register the provider with --default_\(catalog.rawValue)")
        }
        let byID = items.filter { $0["id"]?.scalarText == defaultName }
        if !byID.isEmpty { return byID }
        search = try PropertySearch(catalog, ["name=" + defaultName])
    }
    let matching = search.select(from: items)
    if matching.isEmpty {
        let scope = catalog == .image ? (provider as? PartialImageCatalog).map { "; " + $0.imageSearchScope } ?? "" : ""
        throw FabricError.machine("no \(catalog.rawValue) on provider \(quoted(provider.record.id)) matches \(search.summary)\(scope)",
                                  hint: "see: fabric-find-\(catalog.rawValue) -p \(provider.record.id) --all")
    }
    let found = requirement.map { matching.filter($0.fits) } ?? matching
    if found.isEmpty, let requirement {
        let names = matching.prefix(5).map { $0["name"]?.scalarText ?? "?" }.joined(separator: ", ")
        throw FabricError.machine("no \(catalog.rawValue) matching \(search.summary) is large enough: \(requirement.summary), and \(names)\(matching.count > 5 ? ", ..." : "") \(matching.count == 1 ? "is" : "are") smaller",
                                  hint: "the flavors that fit: fabric-find-image -p \(provider.record.id) --image name=\(requirement.imageName) | fabric-find-flavor --all")
    }
    if found.count > 1 && !all {
        let names = found.prefix(5).map { $0["name"]?.scalarText ?? "?" }.joined(separator: ", ")
        warn("\(found.count) \(catalog.rawValue)s match \(search.summary) (\(names)\(found.count > 5 ? ", ..." : "")); using \(found[0]["name"]?.scalarText ?? "?")")
        return [found[0]]
    }
    return found
}
