import FabricRecords
import FabricStore

/// A provider whose image catalogue is only part of its cloud's images (EC2: those of some
/// owners) says which part, so that "no image matches" does not read as "no such image".
protocol PartialImageCatalog {
    /// Ends the error, after "no image ... matches ...; ": which images were searched and the
    /// setting that widens that.
    var imageSearchScope: String { get }
}

/// What find-image and find-flavor ask a cloud for: the properties searched, as PropertySearch
/// reads them (keys canonical, values as typed). Each provider turns what its API can filter
/// by into the request and may return more than matches (a filter it lacks, a cloud that
/// ignores one): the search on the client decides, so the answer never depends on the cloud's
/// filters, only its speed does. Empty: the whole catalogue.
public struct CatalogQuery {
    public let properties: [(key: String, value: String)]

    public static let everything = CatalogQuery([])

    public init(_ properties: [(key: String, value: String)]) { self.properties = properties }

    public var isEmpty: Bool { properties.isEmpty }

    /// The first value asked for `key`. Every property must hold, so a cloud filtering by any
    /// one of a key's values still returns every item that matches them all.
    public func value(_ key: String) -> String? { properties.first { $0.key == key }?.value }

    /// The value of `key` as a whole number, for a filter that takes only those ("2", not "2.0").
    public func wholeNumber(_ key: String) -> Int? {
        guard let number = value(key).flatMap({ Double($0.trimmingSpaces) }) else { return nil }
        return Int(exactly: number)
    }

    /// The same text for the same query in any order: the catalogue cache's key.
    var canonicalText: String { properties.map { $0.key + "=" + $0.value }.sorted().joined(separator: "\n") }
}

/// find-image and find-flavor's shared work: the properties given, or the provider's default
/// (matched by id, then by name) when none are; non-active images skipped unless status is
/// asked for; flavors too small for `requirement` left out. The cloud is asked for what is
/// searched; flavors come from the store's cache while `catalog_ttl` allows, and a search that
/// finds nothing there asks the cloud once before it fails.
public func findInCatalog(_ catalog: PropertySearch.Catalog, properties texts: [String], provider: any Provider, store: Store?,
                          all: Bool, requirement: ImageRequirement? = nil) throws(FabricError) -> [JSON] {
    let source = try CatalogSource(catalog, provider: provider, store: store)
    do {
        return try search(catalog, texts, provider: provider, source: source, all: all, requirement: requirement)
    } catch where error.kind == .machine && source.answeredFromCache {
        source.useCache = false
        return try search(catalog, texts, provider: provider, source: source, all: all, requirement: requirement)
    }
}

private func search(_ catalog: PropertySearch.Catalog, _ texts: [String], provider: any Provider, source: CatalogSource,
                    all: Bool, requirement: ImageRequirement?) throws(FabricError) -> [JSON] {
    var search = try PropertySearch(catalog, texts)
    let defaultName = catalog == .image ? provider.record.defaultImage : provider.record.defaultFlavor
    if search.isEmpty && !all {
        guard let defaultName else {
            throw FabricError.usage("no \(catalog.option) given and provider \(quoted(provider.record.id)) has no default \(catalog.rawValue)",
                                    hint: "give \(catalog.option) key=value or register the provider with --default_\(catalog.rawValue)")
        }
        let byID = try source.items(PropertySearch(catalog, ["id=" + defaultName])).filter { $0["id"]?.scalarText == defaultName }
        if !byID.isEmpty { return byID }
        search = try PropertySearch(catalog, ["name=" + defaultName])
    }
    let items = try source.items(search)
    if search.isEmpty && all { return search.select(from: items).filter { requirement?.fits($0) ?? true } }
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

/// Where a search's items come from: the cloud, asked for what is searched; for flavors, first
/// the cloud's earlier answers kept in the store (the answer to the same query, or the whole
/// catalogue), younger than the provider's `catalog_ttl`.
private final class CatalogSource {
    let catalog: PropertySearch.Catalog
    let provider: any Provider
    /// nil: nothing is kept (images, no store, catalog_ttl=0).
    let cache: Store?
    let lifetime: Double
    var useCache = true
    private(set) var answeredFromCache = false

    init(_ catalog: PropertySearch.Catalog, provider: any Provider, store: Store?) throws(FabricError) {
        self.catalog = catalog
        self.provider = provider
        lifetime = try ProviderSettings(provider.record.extra, of: provider.record.type).seconds(ProviderSetting.catalogLifetime)
        cache = catalog == .flavor && lifetime > 0 ? store : nil
    }

    /// The items to search for `search`: non-active images are skipped unless a status is
    /// asked for, so the cloud is asked for active ones only.
    func items(_ search: PropertySearch) throws(FabricError) -> [JSON] {
        var properties = search.properties.map { (key: $0.key, value: $0.value) }
        if catalog == .image && !properties.contains(where: { $0.key == "status" }) {
            properties.append(("status", "active"))
            return try provider.images(matching: CatalogQuery(properties)).filter { $0["status"]?.string == "active" }
        }
        let query = CatalogQuery(properties)
        if catalog == .image { return try provider.images(matching: query) }
        let id = provider.record.id, kind = catalog.rawValue
        if useCache, let cache, let kept = cache.cachedCatalog(provider: id, kind: kind, query: query.canonicalText, maxAge: lifetime)
            ?? cache.cachedCatalog(provider: id, kind: kind, query: CatalogQuery.everything.canonicalText, maxAge: lifetime) {
            answeredFromCache = true
            return kept
        }
        let items = try provider.flavors(matching: query)
        cache?.saveCatalog(items, provider: id, kind: kind, query: query.canonicalText)
        return items
    }
}
