import FabricHTTP
import FabricRecords

/// EC2 images (AMIs): golden images, and the snapshots fabric makes with CreateImage, which carry
/// the `fabric_machine_uuid` tag naming their machine.
enum EC2Images {
    /// The images of `owners` that may match `search`: DescribeImages' filters for what the
    /// search names and EC2 can filter by (`searchFilters`), so EC2 answers with those only.
    static func describe(owners: [String], matching search: CatalogQuery) -> EC2Query {
        var query = EC2Query("DescribeImages")
        query.list("Owner", owners)
        for (name, values) in searchFilters(search) { query.filter(name, values) }
        return query
    }

    /// The searchable keys (see `searchable`) EC2 filters by, and their filters' names.
    private static let filterNames: [String: String] = [
        "id": "image-id", "name": "name", "state": "state", "architecture": "architecture", "owner": "owner-id",
        "owner_alias": "owner-alias", "platform": "platform", "platform_details": "platform-details",
        "root_device_type": "root-device-type", "virtualization_type": "virtualization-type", "description": "description",
    ]

    /// Keys of `searchable` that EC2 cannot filter by (computed, or no filter of their own).
    private static let derivedKeys: Set<String> = ["min_disk", "min_ram", "image_type", "boot_mode", "created"]

    /// DescribeImages filters for a search: each key EC2 filters by, status as the states it
    /// stands for, visibility as is-public, and any other key as the tag of that name (the
    /// search finds tags under their keys). EC2 reads * and ? in values as wildcards, which
    /// only widen the answer; a backslash escapes them, so a value with one is left to the client.
    static func searchFilters(_ search: CatalogQuery) -> [(name: String, values: [String])] {
        var filters: [(name: String, values: [String])] = []
        for (key, value) in search.properties where !value.contains("\\") {
            let filter: (name: String, values: [String])?
            switch key {
            case "status":
                let states = ["available", "pending", "transient", "deregistered", "failed", "error", "invalid"].filter { status($0) == value }
                filter = ("state", states.isEmpty ? [value] : states)
            case "visibility":
                filter = value == "public" || value == "private" ? ("is-public", [value == "public" ? "true" : "false"]) : nil
            case let known where filterNames[known] != nil:
                filter = (filterNames[known]!, [value])
            case let derived where derivedKeys.contains(derived):
                filter = nil
            default:
                filter = ("tag:" + key, [value])
            }
            if let filter, !filters.contains(where: { $0.name == filter.name }) { filters.append(filter) }
        }
        return filters
    }

    /// Exactly these images of the account: a filter, so one that is gone is left out rather
    /// than failing the call.
    static func describe(ids: [String]) -> EC2Query {
        var query = EC2Query("DescribeImages")
        query.list("Owner", ["self"])
        query.filter("image-id", ids)
        return query
    }

    static func describe(snapshotsOf machine: String) -> EC2Query {
        var query = EC2Query("DescribeImages")
        query.list("Owner", ["self"])
        query.filter("tag:" + FabricMetadata.snapshotOf, [machine])
        return query
    }

    static func describe(named name: String) -> EC2Query {
        var query = EC2Query("DescribeImages")
        query.list("Owner", ["self"])
        query.filter("name", [name])
        return query
    }

    static func create(of machine: String, name: String, providerID: String, reboot: Bool) -> EC2Query {
        var query = EC2Query("CreateImage")
        query.set("InstanceId", machine)
        query.set("Name", name)
        query.set("NoReboot", !reboot)
        query.tag("image", FabricMetadata.belongingTags(machine: machine, providerID: providerID))
        return query
    }

    /// EC2's rules for an image name, checked before CreateImage is sent.
    static func checkName(_ name: String) throws(FabricError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789()[] ./-'@_")
        guard (3...128).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw FabricError.usage("snapshot name \(quoted(name)) is not an EC2 image name",
                                    hint: "3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _")
        }
    }

    /// The EBS snapshots behind an image, removed with it.
    static func ebsSnapshots(_ image: XMLTree) -> [String] {
        image.items("blockDeviceMapping").compactMap { $0.text("ebs", "snapshotId") }
    }

    /// Glance's words for EC2's image states, so one wait and one search serve every provider.
    static func status(_ state: String) -> String {
        switch state {
        case "available": "active"
        case "pending", "transient": "saving"
        case "deregistered": "deleted"
        case "failed", "error", "invalid": "error"
        default: state
        }
    }

    /// An image as a searchable object: the spec's keys (id, name, min_disk, min_ram, status)
    /// and EC2's (architecture, owner, ...), then its tags, which never replace those.
    static func searchable(_ image: XMLTree) -> JSON? {
        guard let id = image.text("imageId") else { return nil }
        let object = JSON.object()
        let tags = ec2Tags(image)
        object["id"] = JSON(id)
        object["name"] = JSON(image.text("name") ?? id)
        let state = image.text("imageState") ?? "unknown"
        object["status"] = JSON(status(state))
        object["state"] = JSON(state)
        let root = image.text("rootDeviceName")
        let rootVolume = image.items("blockDeviceMapping").first { $0.text("deviceName") == root }
        object["min_disk"] = JSON(rootVolume?.text("ebs", "volumeSize").flatMap(Int.init) ?? 0)
        object["min_ram"] = JSON(0)
        object["image_type"] = JSON(tags.contains { $0.key == FabricMetadata.snapshotOf } ? "snapshot" : "image")
        object["visibility"] = JSON(image.text("isPublic") == "true" ? "public" : "private")
        for (key, field) in [("architecture", "architecture"), ("owner", "imageOwnerId"), ("owner_alias", "imageOwnerAlias"),
                             ("platform", "platform"), ("platform_details", "platformDetails"),
                             ("root_device_type", "rootDeviceType"), ("virtualization_type", "virtualizationType"),
                             ("boot_mode", "bootMode"), ("created", "creationDate"), ("description", "description")] {
            if let value = image.text(field) { object[key] = JSON(value) }
        }
        for (key, value) in tags where object[key] == nil { object[key] = JSON(value) }
        return object
    }

    static func snapshot(_ image: XMLTree, providerID: String) -> Snapshot? {
        guard let id = image.text("imageId") else { return nil }
        let machine = ec2Tags(image).last { $0.key == FabricMetadata.snapshotOf }?.value ?? ""
        let status = status(image.text("imageState") ?? "unknown")
        let reason = image.text("stateReason", "message")
        return Snapshot(id: id, name: image.text("name") ?? "", machineUUID: machine, providerID: providerID, status: status,
                        created: image.text("creationDate"),
                        fault: status == "error" || status == "deleted" ? "EC2 reports the image \(image.text("imageState") ?? status)" + (reason.map { ": \($0)" } ?? "") : nil)
    }
}
