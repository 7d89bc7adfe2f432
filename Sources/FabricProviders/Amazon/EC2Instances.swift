import FabricHTTP
import FabricRecords

/// EC2 instances: the RunInstances that boots a group, the DescribeInstances that follows it,
/// and the machine record an instance becomes.
enum EC2Instances {
    /// Every state but terminated: what `machine list --skip_store` and a rollback look at.
    static let liveStates = ["pending", "running", "shutting-down", "stopping", "stopped"]

    /// What boot resolved before anything is created: subnet, security groups and network
    /// interfaces as EC2 wants them.
    struct Placement {
        var subnetID: String?
        var securityGroupNames: [String] = []
        var securityGroupIDs: [String] = []
        var interfaces: [Interface] = []
    }

    struct Interface {
        var subnetID: String?
        var networkInterfaceID: String?
        var privateAddress: String?
        /// Whether EC2 gives the interface a public address at launch; nil: the subnet decides.
        var publicAddress: Bool?
    }

    /// The swap device: a new EBS volume, removed with the machine (EC2 has no swap mapping;
    /// cloud-init's `mounts`/`swap` or a boot script runs mkswap on it).
    static let swapDevice = "/dev/sdp"

    static func run(_ request: BootRequest, placement: Placement, providerID: String, clientToken: String,
                    placementGroup: String?) -> EC2Query {
        var query = EC2Query("RunInstances")
        query.set("ImageId", request.imageID)
        query.set("InstanceType", request.flavorID)
        query.set("MinCount", request.count)
        query.set("MaxCount", request.count)
        query.set("ClientToken", clientToken)
        if let key = request.keyName { query.set("KeyName", key) }
        if let zone = request.availabilityZone { query.set("Placement.AvailabilityZone", zone) }
        if let placementGroup { query.set("Placement.GroupName", placementGroup) }
        if placement.interfaces.isEmpty {
            if let subnet = placement.subnetID { query.set("SubnetId", subnet) }
            query.list("SecurityGroup", placement.securityGroupNames)
            query.list("SecurityGroupId", placement.securityGroupIDs)
        }
        for (index, interface) in placement.interfaces.enumerated() {
            let prefix = "NetworkInterface.\(index + 1)"
            query.set(prefix + ".DeviceIndex", index)
            if let id = interface.networkInterfaceID {
                query.set(prefix + ".NetworkInterfaceId", id)
                continue
            }
            if let subnet = interface.subnetID { query.set(prefix + ".SubnetId", subnet) }
            if let address = interface.privateAddress { query.set(prefix + ".PrivateIpAddress", address) }
            if let publicAddress = interface.publicAddress { query.set(prefix + ".AssociatePublicIpAddress", publicAddress) }
            query.set(prefix + ".DeleteOnTermination", true)
            query.list(prefix + ".SecurityGroupId", placement.securityGroupIDs)
        }
        if let userdata = request.userdata { query.set("UserData", base64Encoded(userdata)) }
        var devices = 0
        func device(_ name: String, snapshot: String? = nil, sizeGB: Int?, deleteOnTermination: Bool) {
            devices += 1
            let prefix = "BlockDeviceMapping.\(devices)"
            query.set(prefix + ".DeviceName", name)
            if let snapshot { query.set(prefix + ".Ebs.SnapshotId", snapshot) }
            if let sizeGB { query.set(prefix + ".Ebs.VolumeSize", sizeGB) }
            query.set(prefix + ".Ebs.DeleteOnTermination", deleteOnTermination)
        }
        if let swap = request.swapMB {
            device(swapDevice, sizeGB: (swap + 1023) / 1024, deleteOnTermination: true)
        }
        for block in request.blockDevices {
            device("/dev/" + block.device, snapshot: block.id, sizeGB: block.sizeGB, deleteOnTermination: block.deleteOnTermination)
        }
        query.tag("instance", [(key: "Name", value: request.namePrefix)] + FabricMetadata.machineTags(request, providerID: providerID))
        query.tag("volume", FabricMetadata.fabricTags(request, providerID: providerID))
        return query
    }

    /// DescribeInstances for exactly these instances: a filter, not InstanceId.N, so one that is
    /// gone (or not yet visible) leaves it out instead of failing the whole call.
    static func describe(_ ids: [String]) -> EC2Query {
        var query = EC2Query("DescribeInstances")
        query.filter("instance-id", ids)
        return query
    }

    /// The live instances of a group, by its tag.
    static func describe(group: String) -> EC2Query {
        var query = EC2Query("DescribeInstances")
        query.filter("tag:" + FabricMetadata.group, [group])
        query.filter("instance-state-name", liveStates)
        return query
    }

    /// Every live instance fabric made (those with the group tag).
    static func describeFabric() -> EC2Query {
        var query = EC2Query("DescribeInstances")
        query.filter("tag-key", [FabricMetadata.group])
        query.filter("instance-state-name", liveStates)
        return query
    }

    /// The instance's console output as it is now (Latest; otherwise EC2 may give a copy taken
    /// at boot), its last 64 KB.
    static func consoleOutput(_ id: String) -> EC2Query {
        var query = EC2Query("GetConsoleOutput")
        query.set("InstanceId", id)
        query.set("Latest", true)
        return query
    }

    static func terminate(_ ids: [String]) -> EC2Query {
        var query = EC2Query("TerminateInstances")
        query.list("InstanceId", ids)
        return query
    }

    /// The instances of a DescribeInstances reply (reservationSet > instancesSet) or of a
    /// RunInstances reply (instancesSet).
    static func instances(_ reply: XMLTree) -> [XMLTree] {
        if reply["reservationSet"] != nil { return reply.items("reservationSet").flatMap { $0.items("instancesSet") } }
        return reply.items("instancesSet")
    }

    static func state(_ instance: XMLTree) -> String { instance.text("instanceState", "name") ?? "unknown" }

    /// An instance as a machine record. Machines of one RunInstances share its Name tag (the
    /// name prefix); the launch index tells them apart as <prefix>-1, <prefix>-2, ...
    static func machine(_ instance: XMLTree, providerID: String) -> Machine? {
        guard let id = instance.text("instanceId") else { return nil }
        let tags = ec2Tags(instance)
        func tag(_ key: String) -> String? { tags.last { $0.key == key }?.value }
        let state = self.state(instance)
        var name = tag("Name") ?? id
        if tag(FabricMetadata.group) != nil, let index = instance.text("amiLaunchIndex").flatMap(Int.init) {
            name = FabricMetadata.machineName(prefix: name, index: index + 1)
        }
        let status: String
        var fault: String?
        switch state {
        case "pending": status = "BUILD"
        case "running": status = "ACTIVE"
        case "stopping", "stopped": status = "SHUTOFF"
        case "shutting-down", "terminated":
            status = "ERROR"
            let reason = instance.text("stateReason", "message") ?? instance.text("reason") ?? "no reason given"
            fault = "the instance is \(state): \(reason)"
        default: status = state.uppercased()
        }
        var privateAddresses: [String] = []
        for interface in instance.items("networkInterfaceSet") {
            for address in interface.items("privateIpAddressesSet") {
                if let text = address.text("privateIpAddress"), !privateAddresses.contains(text) { privateAddresses.append(text) }
            }
        }
        if let primary = instance.text("privateIpAddress") {
            privateAddresses.removeAll { $0 == primary }
            privateAddresses.insert(primary, at: 0)
        }
        let publicAddresses = instance.text("ipAddress").map { [$0] } ?? []
        var machine = Machine(uuid: id, providerID: providerID, name: name, group: tag(FabricMetadata.group),
                       batch: tag(FabricMetadata.batch), status: status,
                       avZone: instance.text("placement", "availabilityZone"),
                       addresses: privateAddresses + publicAddresses, publicAddresses: publicAddresses, fault: fault,
                       created: instance.text("launchTime"), imageID: instance.text("imageId"),
                       flavorID: instance.text("instanceType"), metadata: tags.filter { $0.key != "Name" })
        machine.removed = state == "shutting-down" || state == "terminated"
        // EC2 shows its users no host: hostID stays nil.
        machine.spread = tag(FabricMetadata.spread)
        return machine
    }
}
