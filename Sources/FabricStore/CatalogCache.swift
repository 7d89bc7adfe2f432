import FabricRecords

/// A cloud's answers to catalogue searches (the flavors or instance types it listed for a
/// query), kept in the store so that the tools and commands that follow do not ask again:
/// what rarely changes on a cloud costs one listing a day, not one a command. Keyed by
/// provider, catalogue and query; dropped when the provider is registered again or
/// unregistered. A cache: never exported, and a store that cannot keep it only costs requests.
extension Store {
    /// The items kept for this query, if they were fetched less than `maxAge` seconds ago.
    public func cachedCatalog(provider: String, kind: String, query: String, maxAge: Double) -> [JSON]? {
        guard let row = try? database.rows("SELECT fetched, items FROM catalogs WHERE provider_id = ? AND kind = ? AND query_key = ?",
                                           [.text(provider), .text(kind), .text(catalogKey(query))]).first,
              let fetched = row.real(0), now() - fetched < maxAge, let text = row.text(1),
              let items = try? JSON.parse(text), items.kind == .array else { return nil }
        return items.items
    }

    public func saveCatalog(_ items: [JSON], provider: String, kind: String, query: String) {
        _ = try? database.transaction { () throws(FabricError) in
            try database.run("DELETE FROM catalogs WHERE provider_id = ? AND kind = ? AND query_key = ?",
                             [.text(provider), .text(kind), .text(catalogKey(query))])
            try database.run("INSERT INTO catalogs (provider_id, kind, query_key, fetched, items) VALUES (?, ?, ?, ?, ?)",
                             [.text(provider), .text(kind), .text(catalogKey(query)), .real(now()), .text(JSON.array(items).encoded())])
        }
    }
}

/// A query's text fits the key column whatever its length: its digest (FNV-1a, 64 bits), with
/// the empty query (the whole catalogue) kept readable.
private func catalogKey(_ query: String) -> String {
    guard !query.isEmpty else { return "all" }
    return FNV1a.hex(query)
}
