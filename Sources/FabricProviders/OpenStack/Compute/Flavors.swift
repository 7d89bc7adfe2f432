import FabricHTTP
import FabricRecords

/// Nova flavors, as searchable objects: swap is a number of MB even where Nova writes "".
enum Flavors {
    /// Nova filters by minimum disk and memory only: asked for ram=N or disk=N, the flavors of
    /// at least that size, which the search narrows to those of exactly it. A value that is
    /// not a whole number would be refused (400), so it is left to the client.
    static func detail(_ compute: String, _ query: CatalogQuery = .everything) -> String {
        var filters: [(name: String, value: String)] = []
        if let disk = query.wholeNumber("disk") { filters.append(("minDisk", String(disk))) }
        if let ram = query.wholeNumber("ram") { filters.append(("minRam", String(ram))) }
        return QueryString(filters).appended(to: compute + "/flavors/detail")
    }

    static func one(_ compute: String, _ id: String) throws(FabricError) -> String {
        compute + "/flavors/" + (try pathSegment(id))
    }

    static func searchable(_ flavor: JSON) -> JSON {
        let copy = flavor.copy()
        copy["links"] = nil
        if copy["swap"]?.string != nil { copy["swap"] = JSON(0) }
        if let ephemeral = copy["OS-FLV-EXT-DATA:ephemeral"] { copy["ephemeral"] = ephemeral }
        return copy
    }
}
