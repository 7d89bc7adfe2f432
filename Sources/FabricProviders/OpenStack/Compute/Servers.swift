import FabricHTTP
import FabricRecords

/// Nova servers: URLs, the create body built from a BootRequest, and machines read from replies.
enum Servers {
    static func collection(_ compute: String) -> String { compute + "/servers" }
    static func detail(_ compute: String, filters: [(name: String, value: String)] = []) -> String {
        QueryString(filters).appended(to: compute + "/servers/detail")
    }
    static func one(_ compute: String, _ id: String) throws(FabricError) -> String {
        compute + "/servers/" + (try pathSegment(id))
    }
    static func action(_ compute: String, _ id: String) throws(FabricError) -> String {
        compute + "/servers/" + (try pathSegment(id)) + "/action"
    }

    /// The body of the one `POST /servers` that boots all `count` machines: min_count = max_count,
    /// so the cloud boots all of them or none, and a reservation id to find them by.
    /// The last `lines` lines of the console log (Nova tails the log itself).
    static func consoleOutputBody(lines: Int) -> JSON {
        JSON(["os-getConsoleOutput": JSON(["length": JSON(lines)])])
    }

    static func createBody(_ request: BootRequest, record: ProviderRecord, networks: JSON, publicNetworks: [String],
                           configDrive: Bool, withPersonality: Bool) -> JSON {
        let server = JSON.object()
        server["name"] = JSON(request.namePrefix)
        server["imageRef"] = JSON(request.imageID)
        server["flavorRef"] = JSON(request.flavorID)
        server["min_count"] = JSON(request.count)
        server["max_count"] = JSON(request.count)
        server["return_reservation_id"] = JSON(true)
        server["networks"] = networks
        server["metadata"] = FabricMetadata.object(FabricMetadata.machineTags(request, providerID: record.id,
                                                                              publicNetworks: publicNetworks))
        if let zone = request.availabilityZone { server["availability_zone"] = JSON(zone) }
        if let key = request.keyName { server["key_name"] = JSON(key) }
        if !request.securityGroups.isEmpty {
            server["security_groups"] = JSON.array(request.securityGroups.map { JSON(["name": JSON($0)]) })
        }
        if let userdata = request.userdata { server["user_data"] = JSON(base64Encoded(userdata)) }
        // User data and files reach the machine through the metadata service; a config drive
        // only when asked (--config-drive, or the provider's config_drive=true for a cloud
        // without a metadata service), as Nova itself does.
        if configDrive { server["config_drive"] = JSON(true) }
        if withPersonality {
            server["personality"] = JSON.array(request.files.map {
                JSON(["path": JSON($0.path), "contents": JSON(base64Encoded($0.contents))])
            })
        }
        let mappings = blockDeviceMappings(request)
        if !mappings.isEmpty { server["block_device_mapping_v2"] = JSON.array(mappings) }
        let body = JSON(["server": server])
        if !request.schedulerHints.isEmpty {
            let hints = JSON.object()
            for (key, value) in request.schedulerHints { hints[key] = JSON(value) }
            body["os:scheduler_hints"] = hints
        }
        return body
    }

    /// block_device_mapping_v2: the image as boot disk first (Nova wants it listed once any
    /// mapping is given), then swap (size in MB, as novaclient sends it), then the spec's
    /// `dev=id:type:size:delete-on-terminate` devices as volumes.
    static func blockDeviceMappings(_ request: BootRequest) -> [JSON] {
        guard request.swapMB != nil || !request.blockDevices.isEmpty else { return [] }
        var mappings = [JSON([
            "source_type": JSON("image"), "destination_type": JSON("local"), "uuid": JSON(request.imageID),
            "boot_index": JSON(0), "delete_on_termination": JSON(true)])]
        if let swap = request.swapMB {
            mappings.append(JSON([
                "source_type": JSON("blank"), "destination_type": JSON("local"), "guest_format": JSON("swap"),
                "volume_size": JSON(swap), "boot_index": JSON(-1), "delete_on_termination": JSON(true)]))
        }
        for device in request.blockDevices {
            let mapping = JSON([
                "source_type": JSON(device.sourceType.rawValue), "destination_type": JSON("volume"),
                "uuid": JSON(device.id), "device_name": JSON("/dev/" + device.device), "boot_index": JSON(-1),
                "delete_on_termination": JSON(device.deleteOnTermination)])
            if let size = device.sizeGB { mapping["volume_size"] = JSON(size) }
            mappings.append(mapping)
        }
        return mappings
    }

    /// Statuses of a server Nova has deleted (its guest and ports are gone) and still lists
    /// while its compute host finishes the bookkeeping: one after another on a host, 1.6 s each
    /// on the lab, so ten deleted together linger 16 s. SOFT_DELETED: a cloud that defers
    /// deletes (reclaim_instance_interval) keeps the stopped guest until it reclaims it.
    static let deletedStatuses: Set<String> = ["DELETED", "SOFT_DELETED"]

    /// A machine from a server in a Nova reply; nil for a server Nova has deleted.
    static func machine(_ server: JSON, providerID: String) -> Machine? {
        guard let id = server["id"]?.string, !deletedStatuses.contains(server["status"]?.string ?? "") else { return nil }
        var fixed: [String] = [], floating: [String] = []
        // Addresses on a network of --public-nics are public, though Nova calls them fixed.
        let publicNetworks = server["metadata"]?[FabricMetadata.publicNetworks]?.string
            .flatMap { try? JSON.parse($0) }.map { Set($0.items.compactMap(\.string)) } ?? []
        for (network, entries) in server["addresses"]?.fields ?? [] {
            for entry in entries.items {
                guard let address = entry["addr"]?.string else { continue }
                if entry["OS-EXT-IPS:type"]?.string == "floating" || publicNetworks.contains(network) {
                    floating.append(address)
                } else {
                    fixed.append(address)
                }
            }
        }
        let metadata = server["metadata"]?.fields.compactMap { field in field.value.string.map { (field.key, $0) } } ?? []
        let zone = server["OS-EXT-AZ:availability_zone"]?.string
        var machine = Machine(uuid: id, providerID: providerID, name: server["name"]?.string ?? "",
                       group: server["metadata"]?[FabricMetadata.group]?.string,
                       batch: server["metadata"]?[FabricMetadata.batch]?.string,
                       status: server["status"]?.string ?? "UNKNOWN",
                       avZone: zone?.isEmpty == false ? zone : nil,
                       addresses: fixed + floating, publicAddresses: floating,
                       fault: server["fault"]?["message"]?.string, created: server["created"]?.string,
                       imageID: server["image"]?["id"]?.string, flavorID: server["flavor"]?["id"]?.string,
                       metadata: metadata.filter { !FabricMetadata.reserved.contains($0.0) })
        if let host = server["hostId"]?.string, !host.isEmpty { machine.hostID = host }
        machine.spread = server["metadata"]?[FabricMetadata.spread]?.string
        // A server being deleted keeps its status (often ACTIVE) until it is gone: not a member.
        machine.removed = server["OS-EXT-STS:task_state"]?.string == "deleting"
        return machine
    }
}
