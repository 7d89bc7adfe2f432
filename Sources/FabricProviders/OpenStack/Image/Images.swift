/// Glance v2 images: golden images and the snapshots fabric makes, which carry the
/// `fabric_machine_uuid` property naming their machine.
import FabricHTTP
import FabricRecords

enum Images {
    /// Glance's `next` links are relative to the service root, which the catalog URL is.
    static func list(_ image: String, filters: [(name: String, value: String)] = []) -> String {
        QueryString([("limit", "1000")] + filters).appended(to: image + "/v2/images")
    }
    static func one(_ image: String, _ id: String) throws(FabricError) -> String {
        image + "/v2/images/" + (try pathSegment(id))
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
