import FabricRecords

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
