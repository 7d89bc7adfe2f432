import FabricHTTP
import FabricRecords

/// Glance v2 images: golden images and the snapshots fabric makes, which carry the
/// `fabric_machine_uuid` property naming their machine.
enum Images {
    /// Glance's `next` links are relative to the service root, which the catalog URL is.
    static func list(_ image: String, filters: [(name: String, value: String)] = []) -> String {
        QueryString([("limit", "1000")] + filters).appended(to: image + "/v2/images")
    }
    static func one(_ image: String, _ id: String) throws(FabricError) -> String {
        image + "/v2/images/" + (try pathSegment(id))
    }

    /// Glance's view-only fields, and core fields whose filter is no equality (sizes, times,
    /// booleans, tags): a search by them lists and leaves the comparison to the client.
    private static let unfiltered: Set<String> = [
        "id", "self", "file", "schema", "checksum", "size", "virtual_size", "created_at", "updated_at", "tags", "tag",
        "locations", "direct_url", "protected", "os_hidden", "os_hash_algo", "os_hash_value", "member_status", "stores",
        "limit", "marker", "sort", "sort_key", "sort_dir", "changes-since", "size_min", "size_max",
    ]

    /// The query parameters Glance v2 filters a listing by: name, status, visibility, owner,
    /// the formats, min_disk/min_ram and any other image property, each compared for equality
    /// as the search does. A value Glance would read as an operator ("in:a,b", "gte:...") and
    /// a visibility it does not filter by equality ("all") are left to the client.
    static func filters(_ query: CatalogQuery) -> [(name: String, value: String)] {
        var filters: [(name: String, value: String)] = []
        for (key, value) in query.properties where !unfiltered.contains(key) && !filters.contains(where: { $0.name == key }) {
            if let colon = value.firstIndex(of: ":"), ["in", "nin", "eq", "neq", "gt", "gte", "lt", "lte"].contains(value[..<colon]) { continue }
            switch key {
            case "visibility":
                if ["public", "private", "shared", "community"].contains(value) { filters.append((key, value)) }
            case "min_disk", "min_ram":
                if let number = query.wholeNumber(key) { filters.append((key, String(number))) }
            default:
                filters.append((key, value))
            }
        }
        return filters
    }

    /// Glance's image ids are UUIDs: any other text names no image and costs no request.
    static func isImageID(_ text: String) -> Bool {
        let hex = text.utf8.filter { $0 != UInt8(ascii: "-") }
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return hex.count == 32 && (groups == [8, 4, 4, 4, 12] || groups == [32])
            && hex.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
    }

    static func snapshot(_ image: JSON, providerID: String) -> Snapshot? {
        guard let id = image["id"]?.string else { return nil }
        let status = image["status"]?.string ?? "unknown"
        return Snapshot(id: id, name: image["name"]?.string ?? "",
                        machineUUID: image[FabricMetadata.snapshotOf]?.string ?? image["instance_uuid"]?.string ?? "",
                        providerID: providerID, status: status, created: image["created_at"]?.string,
                        fault: status == "killed" || status == "deleted" ? "the image service reports the snapshot \(status)" : nil)
    }

    /// The image id of a createImage reply: the body from 2.45, else the Location header.
    static func createdID(body: JSON?, location: String?) -> String? {
        if let id = body?["image_id"]?.string { return id }
        return location?.split(separator: "/").last.map(String.init)
    }
}
