import FabricHTTP
import FabricRecords

/// AMAZON: the EC2 Query API over libcurl, signed by libcurl (AWS Signature V4), replies read
/// with expat. The requests live in EC2Instances, EC2Images, EC2InstanceTypes, EC2Addresses and
/// EC2Networks; this file composes them into what the Provider protocol asks.
///
/// Mapping: username = access key id, password = secret access key (and session token), url =
/// the EC2 endpoint, tenant = the region. Machine uuids are instance ids, flavors instance
/// types, images AMIs, snapshots AMIs made by CreateImage, public addresses Elastic IPs.
final class AmazonProvider: Provider, PartialImageCatalog {
    let record: ProviderRecord
    let session: EC2Session

    init(record: ProviderRecord) throws(FabricError) {
        self.record = record
        session = try EC2Session(record: record, settings: try AmazonSettings(extra: record.extra))
    }

    /// The region goes into the signature's scope ("aws:amz:REGION:ec2"), so it must be a region
    /// name and nothing that could change that scope; the credentials must be what the store
    /// can give libcurl.
    static func validate(record: ProviderRecord) throws(FabricError) {
        let region = record.tenant
        let shaped = region.utf8.count <= 32 && region.first?.isLetter == true
            && region.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        guard shaped else {
            throw FabricError.usage("the tenant of an AMAZON provider is its region, like us-east-1; \(quoted(region)) is not one")
        }
        _ = try AmazonCredentials(record: record)
    }

    // MARK: images and flavors

    /// The owners in `image_owners` (default: the account's own), always with the account's own,
    /// so the snapshots fabric made are found by name too.
    private var imageOwners: [String] {
        let owners = session.settings.imageOwners
        return owners.contains("self") ? owners : ["self"] + owners
    }

    /// The images of `imageOwners` that may match the query.
    func images(matching query: CatalogQuery) throws(FabricError) -> [JSON] {
        if let id = query.value("id"), !EC2ID.isShaped(id, .image) { return [] }
        let reply = try session.call(.provider, EC2Images.describe(owners: imageOwners, matching: query))
        return reply?.items("imagesSet").compactMap(EC2Images.searchable) ?? []
    }

    /// An image that exists but is another owner's is not found: say so, and what to set.
    var imageSearchScope: String {
        "only images owned by \(imageOwners.joined(separator: ", ")) are searched (--extra image_owners=\(session.settings.imageOwners.joined(separator: ",")))"
    }

    /// The instance types that may match the query; one named that EC2 does not know is none.
    func flavors(matching query: CatalogQuery) throws(FabricError) -> [JSON] {
        let named = EC2InstanceTypes.byName(query)
        if let named, !EC2InstanceTypes.isShaped(named) { return [] }
        return try session.collect(.provider, EC2InstanceTypes.describe(matching: query), set: "instanceTypeSet",
                                   pageSize: named == nil ? 100 : nil, tolerating: named == nil ? [] : ["InvalidInstanceType"])
            .compactMap(EC2InstanceTypes.searchable)
    }

    // MARK: boot

    /// The RunInstances for a request, and the zone it launches in when fabric knows it (its
    /// --availability-zone, or its subnet's): every option checked, every name resolved
    /// (read-only requests), nothing created. What EC2 cannot do is refused here, with what to
    /// use instead; the sizes and counts EC2 takes are its `BootLimits.ec2`, which fabric-boot
    /// checks first. `subnet` is a subnet already found (a zone spread's part), `spreadGroup`
    /// the placement group of --spread host.
    private func launch(_ request: BootRequest, subnet: EC2Subnet? = nil, spreadGroup: String? = nil) throws(FabricError) -> (query: EC2Query, zone: String?) {
        try refuseConfigDrive(request)
        try refuseSpread(request)
        let hinted = try placementGroup(request)
        let placementGroup = spreadGroup ?? hinted
        try EC2ID.check(request.imageID, .image)
        try EC2ID.checkInstanceType(request.flavorID)
        if let pool = request.publicNetwork { try EC2Addresses.checkPool(pool) }
        try checkTags(request)
        try checkBlockDevices(request)
        var placement = EC2Instances.Placement()
        placement.interfaces = try networkInterfaces(request)
        // Read-only look-ups from here on: names become ids, and a typo fails with nothing made.
        let (vpc, subnetZone) = try placeInSubnet(request, subnet: subnet, &placement)
        try addSecurityGroups(request, vpc: vpc, to: &placement)
        try checkKeyPairAndZone(request)
        let query = EC2Instances.run(request, placement: placement, providerID: record.id,
                                     clientToken: Self.clientToken(request), placementGroup: placementGroup)
        return (query, request.availabilityZone ?? subnetZone)
    }

    private func refuseConfigDrive(_ request: BootRequest) throws(FabricError) {
        if request.configDrive {
            throw FabricError.usage("EC2 has no config drive (--config_drive)",
                                    hint: "leave it out: EC2 hands cloud-init its user data and metadata through the instance metadata service")
        }
    }

    /// The one scheduler hint EC2 has: a placement group.
    private func placementGroup(_ request: BootRequest) throws(FabricError) -> String? {
        var placementGroup: String?
        for (key, value) in request.schedulerHints {
            guard ["placement_group", "group"].contains(key), placementGroup == nil, !value.isEmpty else {
                throw FabricError.usage("EC2 takes no scheduler hint \(quoted(key)) (or takes one placement group only)",
                                        hint: "the one hint EC2 has is a placement group: --scheduler_hints placement_group=NAME")
            }
            placementGroup = value
        }
        return placementGroup
    }

    /// The network interfaces the NICs ask for, checked without asking EC2.
    private func networkInterfaces(_ request: BootRequest) throws(FabricError) -> [EC2Instances.Interface] {
        let nics = request.privateNics.map { (nic: $0, isPublic: false) } + request.publicNics.map { (nic: $0, isPublic: true) }
        if !request.publicNics.isEmpty && nics.count > 1 {
            throw FabricError.usage("EC2 gives a public address at launch to a machine with one network interface only",
                                    hint: "give one --public_nics, or private ones and --public_network amazon for Elastic IPs")
        }
        if request.privateNetwork != nil && !nics.isEmpty {
            throw FabricError.usage("--private_network and --public_nics exclude each other on EC2",
                                    hint: "give the private subnet as --private_nics net-id=subnet-...")
        }
        var interfaces: [EC2Instances.Interface] = []
        for (nic, isPublic) in nics {
            var interface = EC2Instances.Interface()
            if let port = nic.portID {
                try EC2ID.check(port, .networkInterface, "port-id")
                if request.count > 1 {
                    throw FabricError.usage("a port-id nic is one network interface for one machine: boot one machine per interface (--number 1)")
                }
                interface.networkInterfaceID = port
            } else if let subnet = nic.networkID {
                try EC2ID.check(subnet, .subnet, "net-id (EC2 places interfaces in subnets)")
                interface.subnetID = subnet
                interface.privateAddress = nic.fixedIPv4
                if isPublic { interface.publicAddress = true }
            }
            interfaces.append(interface)
        }
        return interfaces
    }

    /// The subnet of --private-network (or of the machine that will get an Elastic IP) put in
    /// the placement; returns the VPC the machines go in, nil for EC2's default choice, and the
    /// zone of their subnet when there is one.
    private func placeInSubnet(_ request: BootRequest, subnet found: EC2Subnet?,
                               _ placement: inout EC2Instances.Placement) throws(FabricError) -> (vpc: String?, zone: String?) {
        var vpc: String?
        var zone: String?
        if let found {
            placement.subnetID = found.id
            (vpc, zone) = (found.vpc, found.zone)
        } else if let network = request.privateNetwork {
            let subnet = try subnet(network)
            placement.subnetID = subnet.id
            (vpc, zone) = (subnet.vpc, subnet.zone)
        } else if let first = placement.interfaces.first(where: { $0.subnetID != nil })?.subnetID {
            let subnet = try subnet(first)
            (vpc, zone) = (subnet.vpc, subnet.zone)
        }
        if request.publicNetwork != nil && placement.interfaces.isEmpty {
            // The Elastic IP is the machine's public address: none at launch, or the records
            // would keep one that EC2 takes away when the Elastic IP is associated.
            let subnet = if let id = placement.subnetID { EC2Subnet(id: id, vpc: vpc, zone: zone) } else { try defaultSubnet(zone: request.availabilityZone) }
            placement.interfaces = [EC2Instances.Interface(subnetID: subnet.id, publicAddress: false)]
            placement.subnetID = nil
            (vpc, zone) = (subnet.vpc, subnet.zone)
        }
        return (vpc, zone)
    }

    /// The security groups, each found (by id or by name in `vpc`) before the launch.
    private func addSecurityGroups(_ request: BootRequest, vpc: String?, to placement: inout EC2Instances.Placement) throws(FabricError) {
        let groupIDs = request.securityGroups.filter { EC2ID.isShaped($0, .securityGroup) }
        let groupNames = request.securityGroups.filter { !EC2ID.isShaped($0, .securityGroup) }
        if !groupIDs.isEmpty { _ = try securityGroups(names: [], ids: groupIDs, vpc: nil) }
        if !groupNames.isEmpty {
            let found = try securityGroups(names: groupNames, ids: [], vpc: vpc)
            // In a chosen subnet (a VPC of its own) EC2 takes groups by id only.
            if vpc != nil || !placement.interfaces.isEmpty {
                placement.securityGroupIDs += groupNames.compactMap { found[$0] }
            } else {
                placement.securityGroupNames = groupNames
            }
        }
        placement.securityGroupIDs += groupIDs
    }

    private func checkKeyPairAndZone(_ request: BootRequest) throws(FabricError) {
        if let key = request.keyName,
           (try session.call(.machine, EC2Networks.keyPairs(key)))?.items("keySet").isEmpty ?? true {
            throw FabricError.usage("key pair \(quoted(key)) not found on provider \(quoted(record.id))",
                                      hint: "import one with: aws ec2 import-key-pair --key-name \(key) ...")
        }
        if let zone = request.availabilityZone,
           (try session.call(.machine, EC2Networks.zones(zone)))?.items("availabilityZoneInfo").isEmpty ?? true {
            throw FabricError.usage("availability zone \(quoted(zone)) not found in region \(record.tenant)")
        }
    }

    private func checkTags(_ request: BootRequest) throws(FabricError) {
        for (key, _) in request.meta where key.lowercased().hasPrefix("aws:") || key == "Name" {
            throw FabricError.usage("--meta key \(quoted(key)) is reserved on EC2 (aws: is Amazon's, Name is the machine's name)")
        }
        if request.namePrefix.count > 250 { throw FabricError.usage("the name prefix is longer than EC2's 256-character Name tag") }
    }

    /// EC2 makes a launch's volumes from snapshots (or empty); it cannot attach an existing volume
    /// or an image at launch.
    private func checkBlockDevices(_ request: BootRequest) throws(FabricError) {
        var devices: Set<String> = request.swapMB == nil ? [] : [EC2Instances.swapDevice]
        for block in request.blockDevices {
            guard block.sourceType == .snapshot else {
                throw FabricError.usage("--block_device \(block.device)=\(block.id): EC2 cannot attach an existing \(block.sourceType.rawValue) at launch",
                                        hint: "give an EBS snapshot to make the volume from: \(block.device)=snap-...:snapshot:SIZE:true")
            }
            try EC2ID.check(block.id, .snapshot, "--block_device \(block.device)")
            let letters = block.device.hasPrefix("xvd") ? block.device.dropFirst(3) : block.device.hasPrefix("sd") ? block.device.dropFirst(2) : ""
            guard (1...2).contains(letters.count), letters.allSatisfy({ $0 >= "a" && $0 <= "z" }), letters != "a" else {
                throw FabricError.usage("--block_device device \(quoted(block.device)) is not an EC2 device name",
                                        hint: "EC2 names EBS devices sdf to sdp (or xvdf to xvdp)")
            }
            guard devices.insert("/dev/" + block.device).inserted else {
                throw FabricError.usage("--block_device device \(block.device) is given twice (or is the swap device, \(EC2Instances.swapDevice))")
            }
        }
    }

    private func subnet(_ nameOrID: String) throws(FabricError) -> EC2Subnet {
        let subnets = (try session.call(.machine, EC2Networks.subnets(nameOrID))?.items("subnetSet") ?? []).compactMap(EC2Subnet.init)
        guard let first = subnets.first else { throw noSubnet([nameOrID]) }
        if subnets.count > 1 {
            throw FabricError.machine("\(subnets.count) subnets are named \(quoted(nameOrID)); give the id of one",
                                      hint: subnets.map(\.id).joined(separator: ", "))
        }
        return first
    }

    /// Subnets of --private_network that the region does not have.
    func noSubnet(_ names: [String]) -> FabricError {
        let named = names.map { (EC2ID.isShaped($0, .subnet) ? "" : "named ") + quoted($0) }.joined(separator: ", ")
        return FabricError.usage("no subnet\(names.count == 1 ? "" : "s") \(named) on provider \(quoted(record.id))",
                                 hint: "list them with: aws ec2 describe-subnets --region \(record.tenant)")
    }

    /// The default VPC's subnet of the zone (EC2's choice of zone when none is given).
    private func defaultSubnet(zone: String?) throws(FabricError) -> EC2Subnet {
        let subnets = try session.call(.machine, EC2Networks.defaultSubnets(zones: zone.map { [$0] } ?? []))?
            .items("subnetSet").compactMap(EC2Subnet.init).sorted { ($0.zone ?? "") < ($1.zone ?? "") } ?? []
        guard let first = subnets.first else {
            throw FabricError.machine("region \(record.tenant) has no default subnet\(zone.map { " in \($0)" } ?? "") for a machine with an Elastic IP",
                                      hint: "name the subnet with --private_network")
        }
        return first
    }

    /// Security group ids by name (or by id), all of them found or an error naming those missing.
    private func securityGroups(names: [String], ids: [String], vpc: String?) throws(FabricError) -> [String: String] {
        let groups = try session.call(.machine, EC2Networks.securityGroups(names: names, ids: ids, vpc: vpc))?
            .items("securityGroupInfo") ?? []
        var found: [String: String] = [:]
        for group in groups {
            guard let id = group.text("groupId") else { continue }
            found[id] = id
            if let name = group.text("groupName") { found[name] = id }
        }
        let missing = (names + ids).filter { found[$0] == nil }
        if !missing.isEmpty {
            throw FabricError.usage("security group\(missing.count == 1 ? "" : "s") \(missing.map(quoted).joined(separator: ", ")) not found on provider \(quoted(record.id))"
                                      + (vpc.map { " in \($0)" } ?? ""))
        }
        return found
    }

    /// RunInstances' idempotency key (at most 64 ASCII characters): the group, and a hash of the
    /// name prefix, which tells apart the records of one fabric-boot (they share the group).
    /// Sent again with the same key, RunInstances answers with the first call's machines.
    static func clientToken(_ request: BootRequest) -> String {
        let plain = request.group.utf8.count <= 48 && request.group.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        let group = plain ? request.group : FNV1a.hex(request.group)
        return group + "-" + String(FNV1a.hex(request.namePrefix).prefix(8))
    }

    /// The requests that would change anything, in order: a zone spread's RunInstances per zone
    /// that gets members, --spread host's CreatePlacementGroup when its group has none yet, then
    /// its RunInstances. The look-ups they need are made (read-only), and so are the checks.
    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON] {
        try refuseSpread(request)
        switch request.spread {
        case .zone:
            let subnets = try zoneSubnets(request)
            var requests: [JSON] = []
            for part in try zoneParts(request) {
                requests.append(try launch(part, subnet: subnets[part.availabilityZone ?? ""]).query.json(url: session.endpoint))
            }
            return requests
        case .host:
            let name = try EC2PlacementGroups.name(providerID: record.id, group: request.group)
            let launch = try launch(request, spreadGroup: name)
            try checkSpreadRoom(request, zone: launch.zone, placementGroup: name)
            let create = try placementGroup(named: name) == nil
                ? [EC2PlacementGroups.create(name, group: request.group, providerID: record.id).json(url: session.endpoint)] : []
            return create + [launch.query.json(url: session.endpoint)]
        case .none, .soft:
            return [try launch(request).query.json(url: session.endpoint)]
        }
    }

    /// `--spread zone`: one RunInstances per zone that gets members, each in that zone's subnet,
    /// every zone's subnet found before the first. `--spread host`: every machine in the group's
    /// spread placement group, made at its first create once every check has passed.
    func boot(_ request: BootRequest) throws(FabricError) -> [Machine] {
        try refuseSpread(request)
        switch request.spread {
        case .zone:
            let subnets = try zoneSubnets(request)
            return try bootAcrossZones(request) { part throws(FabricError) in
                try self.run(part, query: try self.launch(part, subnet: subnets[part.availabilityZone ?? ""]).query)
            }
        case .host:
            return try bootSpreadOverHosts(request)
        case .none, .soft:
            return try run(request, query: try launch(request).query)
        }
    }

    /// --spread host: the checks, the placement group (found, or made), then the launch into
    /// it; a failed launch removes a placement group it made that no member is left in.
    private func bootSpreadOverHosts(_ request: BootRequest) throws(FabricError) -> [Machine] {
        let name = try EC2PlacementGroups.name(providerID: record.id, group: request.group)
        let launch = try launch(request, spreadGroup: name)
        try checkSpreadRoom(request, zone: launch.zone, placementGroup: name)
        let made = try ensurePlacementGroup(name, group: request.group)
        do throws(FabricError) {
            try Interruption.check()
            return try run(request, query: launch.query)
        } catch {
            if made { Interruption.cleaningUp { removeEmptyPlacementGroup(name, group: request.group) } }
            throw error
        }
    }

    /// One RunInstances for every machine. It is followed to its reply even when a signal comes
    /// (a reply names what was made); then, on any failure or interruption, what the reply named
    /// and whatever carries the launch's tags are terminated, so nothing is left.
    private func run(_ request: BootRequest, query: EC2Query) throws(FabricError) -> [Machine] {
        var launched: [String] = []
        var knownNothingMade = false
        do throws(FabricError) {
            let reply: XMLTree
            switch session.create(.machine, query) {
            case .failure(let error): throw error
            case .success(.failure(let failure)):
                // A 4xx is a refusal before anything was made; a 5xx may come after the work.
                knownNothingMade = (400..<500).contains(failure.status)
                throw session.error(.machine, query, failure)
            case .success(.success(let tree)): reply = tree
            }
            let instances = EC2Instances.instances(reply)
            launched = instances.compactMap { $0.text("instanceId") }
            for id in launched where !EC2ID.isShaped(id, .instance) {
                throw FabricError.machine("the RunInstances reply names \(quoted(id)), which is not an instance id")
            }
            try Interruption.check()
            let machines = instances.compactMap { EC2Instances.machine($0, providerID: record.id) }
            guard machines.count == request.count else {
                throw FabricError.machine("asked EC2 for \(request.count) machines, it made \(machines.count)")
            }
            if let gone = machines.first(where: { $0.status == "ERROR" }) {
                throw FabricError.machine("machine \(gone.uuid) of the launch is already gone (\(gone.fault ?? "terminated"))",
                                          hint: "an earlier launch with this group and name was removed; use a new --group")
            }
            return machines
        } catch {
            if !knownNothingMade {
                Interruption.cleaningUp { removeLaunch(launched, request: request) }
            }
            throw error
        }
    }

    /// Terminates what a failed launch made: the instances its reply named and any carrying its
    /// group and name tags (a reply lost to a timeout named none), then waits until they are gone.
    private func removeLaunch(_ launched: [String], request: BootRequest) {
        var ids = launched.filter { EC2ID.isShaped($0, .instance) }
        var query = EC2Instances.describe(group: request.group)
        query.filter("tag:Name", [request.namePrefix])
        if let reply = attemptValue({ () throws(FabricError) in try session.call(.machine, query) }) {
            for instance in reply.map(EC2Instances.instances) ?? [] {
                if let id = instance.text("instanceId"), EC2ID.isShaped(id, .instance), !ids.contains(id) { ids.append(id) }
            }
        } else {
            warn("could not look up the machines of group \(request.group); check with fabric-list-machines -p \(record.id) --group \(request.group)")
        }
        guard !ids.isEmpty else { return }
        if let failure = attempt({ () throws(FabricError) in
            try session.call(.machine, EC2Instances.terminate(ids), tolerating: ["InvalidInstanceID.NotFound"])
            try waitUntilTerminated(ids)
        }) {
            warn("could not remove machines \(ids.joined(separator: ", ")) of the failed boot: \(failure.message); remove them with: fabric-list-machines -p \(record.id) --group \(request.group) | fabric-destroy")
        }
    }

    // MARK: machines

    /// One DescribeInstances per call for up to 200 machines (EC2's most values in a filter).
    func machines(_ uuids: [String]) throws(FabricError) -> [Machine] {
        for uuid in uuids { try EC2ID.check(uuid, .instance) }
        var machines: [Machine] = []
        var start = 0
        while start < uuids.count {
            let chunk = Array(uuids[start..<min(start + 200, uuids.count)])
            machines += try session.collect(.machine, EC2Instances.describe(chunk), set: "reservationSet")
                .flatMap { $0.items("instancesSet") }.compactMap { EC2Instances.machine($0, providerID: record.id) }
            start += 200
        }
        return machines
    }

    func listMachines() throws(FabricError) -> [Machine] {
        try session.collect(.machine, EC2Instances.describeFabric(), set: "reservationSet")
            .flatMap { $0.items("instancesSet") }
            .filter { instance in
                let provider = ec2Tags(instance).last { $0.key == FabricMetadata.provider }?.value
                return provider.map { $0 == record.id } ?? true
            }
            .compactMap { EC2Instances.machine($0, providerID: record.id) }
    }

    /// Elastic IPs first (EC2 would keep them allocated, and billed), then one TerminateInstances
    /// for every machine whose addresses are released, then one wait for all of them.
    func destroy(_ machines: [MachineRef], force: Bool) throws(FabricError) -> [String: FabricError] {
        guard !machines.isEmpty else { return [:] }
        let ids = machines.map(\.uuid)
        for id in ids { try EC2ID.check(id, .instance) }
        let live = Set(try session.collect(.machine, EC2Instances.describe(ids), set: "reservationSet")
            .flatMap { $0.items("instancesSet") }.filter { EC2Instances.state($0) != "terminated" }
            .compactMap { $0.text("instanceId") })
        var kept: [String: FabricError] = [:]
        for machine in machines {
            // Addresses go even for an instance already gone: fabric tagged them for it.
            do throws(FabricError) {
                try releaseAddresses(of: machine.uuid)
            } catch {
                guard error.kind == .machine else { throw error }
                kept[machine.uuid] = error
            }
        }
        var failures = AddressRelease.kept(kept, force: force)
        for machine in machines where !live.contains(machine.uuid) && failures[machine.uuid] == nil {
            failures[machine.uuid] = FabricError(.machine, "machine \(machine.uuid) not found on provider \(quoted(record.id))",
                                                 hint: "use --force to forget it anyway", httpStatus: 404)
        }
        let terminating = ids.filter { live.contains($0) && failures[$0] == nil }
        guard !terminating.isEmpty else { return failures }
        try session.call(.machine, EC2Instances.terminate(terminating), tolerating: ["InvalidInstanceID.NotFound"])
        try waitUntilTerminated(terminating)
        return failures
    }

    func waitUntilTerminated(_ ids: [String]) throws(FabricError) {
        let timeout = session.settings.deleteTimeout
        var left = ids
        let outcome = try Backoff(first: 0.1, factor: 1.5, cap: 2).poll(timeout: timeout) { () throws(FabricError) in
            left = try session.collect(.machine, EC2Instances.describe(ids), set: "reservationSet")
                .flatMap { $0.items("instancesSet") }.filter { EC2Instances.state($0) != "terminated" }
                .compactMap { $0.text("instanceId") }
            return left.isEmpty
        }
        switch outcome {
        case .done: return
        case .interrupted: try Interruption.check()
        case .timedOut:
            throw FabricError(.timeout, "machine\(left.count == 1 ? "" : "s") \(left.joined(separator: ", ")) not terminated \(Int(timeout)) s after TerminateInstances")
        }
    }

    /// Every Elastic IP of the machine: those associated with it and those fabric tagged for it.
    private func addresses(of uuid: String) throws(FabricError) -> [XMLTree] {
        var addresses: [XMLTree] = []
        for query in [EC2Addresses.describe(associatedWith: uuid), EC2Addresses.describe(taggedFor: uuid)] {
            for address in try session.call(.machine, query)?.items("addressesSet") ?? []
            where !addresses.contains(where: { $0.text("allocationId") == address.text("allocationId") }) {
                addresses.append(address)
            }
        }
        return addresses
    }

    private func releaseAddresses(of uuid: String) throws(FabricError) {
        for address in try addresses(of: uuid) {
            do throws(FabricError) {
                if let association = address.text("associationId") {
                    try EC2ID.check(association, .association)
                    try session.call(.machine, EC2Addresses.disassociate(association), tolerating: ["InvalidAssociationID.NotFound"])
                }
                guard let allocation = address.text("allocationId") else { continue }
                // Only fabric's own allocations are released; one the user associated is only detached.
                if ec2Tags(address).contains(where: { $0.key == FabricMetadata.snapshotOf && $0.value == uuid }) {
                    try EC2ID.check(allocation, .allocation)
                    try session.call(.machine, EC2Addresses.release(allocation), tolerating: ["InvalidAllocationID.NotFound"])
                }
            } catch {
                guard error.kind == .machine else { throw error }
                throw AddressRelease.failure(address.text("publicIp") ?? address.text("allocationId") ?? "?", of: uuid, error)
            }
        }
    }

    /// An Elastic IP from the pool, associated with the machine. The address is tagged with the
    /// machine when it is allocated, so a failure or signal before it is associated leaves
    /// nothing that destroy (or the create's rollback) cannot find.
    /// EC2 associates an Elastic IP with a running instance only: those still pending are left
    /// for the next round.
    func attachPublicAddresses(_ uuids: [String], network pool: String) throws(FabricError) -> [String: String] {
        try EC2Addresses.checkPool(pool)
        let found = try machines(uuids)
        var given: [String: String] = [:]
        for uuid in uuids {
            guard let machine = found.first(where: { $0.uuid == uuid }) else {
                throw FabricError.machine("machine \(uuid) no longer exists on provider \(quoted(record.id))")
            }
            if machine.isFailed {
                // A terminated instance is no longer listed, so no rollback would find an
                // address given to it in an earlier round: it goes now.
                Interruption.cleaningUp { releaseUnassociated(of: uuid) }
                throw FabricError.machine("machine \(uuid) (\(machine.name)) went to ERROR: \(machine.fault ?? "the provider gave no reason")")
            }
            guard machine.isReady else { continue }
            given[uuid] = try attachPublicAddress(uuid, network: pool)
        }
        return given
    }

    private func attachPublicAddress(_ uuid: String, network pool: String) throws(FabricError) -> String {
        try EC2ID.check(uuid, .instance)
        let held = try addresses(of: uuid)
        if let associated = held.first(where: { $0.text("instanceId") == uuid }), let address = associated.text("publicIp") {
            return address
        }
        let allocation: XMLTree
        if let unassociated = held.first(where: { $0.text("associationId") == nil }) {
            allocation = unassociated
        } else {
            let query = EC2Addresses.allocate(pool: pool, machine: uuid, providerID: record.id)
            switch session.create(.machine, query) {
            case .failure(let error):
                // The reply is lost, not necessarily the address: one tagged for the machine goes now.
                Interruption.cleaningUp { releaseUnassociated(of: uuid) }
                throw error
            case .success(.failure(let failure)): throw session.error(.machine, query, failure)
            case .success(.success(let reply)): allocation = reply
            }
        }
        guard let id = allocation.text("allocationId"), EC2ID.isShaped(id, .allocation), let address = allocation.text("publicIp") else {
            throw FabricError.machine("the AllocateAddress reply for machine \(uuid) names no allocation id and address")
        }
        // Interrupted, or refused the association: the address is released here and now, not
        // left to a rollback that may already have looked for it.
        if let failure = attempt({ () throws(FabricError) in
            try Interruption.check()
            try session.call(.machine, EC2Addresses.associate(id, machine: uuid))
        }) {
            Interruption.cleaningUp {
                if let leak = attempt({ () throws(FabricError) in try session.call(.machine, EC2Addresses.release(id)) }) {
                    warn("could not release Elastic IP \(id) (\(address)) after the failure: \(leak.message); fabric machine destroy releases it with the machine")
                }
            }
            throw failure
        }
        return address
    }

    private func releaseUnassociated(of uuid: String) {
        let tagged = attemptValue({ () throws(FabricError) in try session.call(.machine, EC2Addresses.describe(taggedFor: uuid)) })
        for address in tagged??.items("addressesSet") ?? [] where address.text("associationId") == nil {
            guard let id = address.text("allocationId"), EC2ID.isShaped(id, .allocation) else { continue }
            if let leak = attempt({ () throws(FabricError) in
                try session.call(.machine, EC2Addresses.release(id), tolerating: ["InvalidAllocationID.NotFound"])
            }) {
                warn("could not release Elastic IP \(id) of machine \(uuid): \(leak.message); fabric machine destroy releases it with the machine")
            }
        }
    }

    // MARK: snapshots

    /// CreateImage, tagged with the machine. It is followed to its reply; when the reply is lost
    /// (a timeout), the image is looked up by its name, which EC2 keeps unique.
    /// GetConsoleOutput, one instance a request (EC2 takes one): its base64 output, absent while
    /// the instance has written none; only the last `lines` lines are kept.
    func bootLogs(_ uuids: [String], lines: Int) throws(FabricError) -> [String: [UInt8]] {
        var logs: [String: [UInt8]] = [:]
        for uuid in uuids {
            guard let reply = try session.call(.machine, EC2Instances.consoleOutput(uuid)),
                  let encoded = reply.text("output") else { continue }
            guard let bytes = base64Decoded(encoded) else {
                throw FabricError.machine("the console output EC2 gave for machine \(uuid) is not base64")
            }
            logs[uuid] = lastLines(bytes, lines)
        }
        return logs
    }

    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot {
        try EC2ID.check(uuid, .instance)
        try EC2Images.checkName(name)
        let query = EC2Images.create(of: uuid, name: name, providerID: record.id, reboot: session.settings.snapshotReboot)
        var id: String?
        switch session.create(.snapshot, query) {
        case .success(.success(let reply)): id = reply.text("imageId")
        case .success(.failure(let failure)): throw session.error(.snapshot, query, failure)
        case .failure(let error):
            let found = Interruption.cleaningUp {
                attemptValue({ () throws(FabricError) in try session.call(.snapshot, EC2Images.describe(named: name)) })
            }
            guard let image = found??.items("imagesSet").first(where: {
                ec2Tags($0).contains { $0.key == FabricMetadata.snapshotOf && $0.value == uuid }
            }) else { throw error }
            id = image.text("imageId")
        }
        guard let id, EC2ID.isShaped(id, .image) else {
            throw FabricError.snapshot("the CreateImage reply for machine \(uuid) names no image id")
        }
        return Snapshot(id: id, name: name, machineUUID: uuid, providerID: record.id, status: "saving", created: timestamp())
    }

    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot] {
        try EC2ID.check(uuid, .instance)
        return try session.call(.snapshot, EC2Images.describe(snapshotsOf: uuid))?.items("imagesSet")
            .compactMap { EC2Images.snapshot($0, providerID: record.id) }.filter { $0.machineUUID == uuid } ?? []
    }

    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot] {
        for id in ids { try EC2ID.check(id, .image, "snapshot id") }
        guard !ids.isEmpty else { return [] }
        return try session.call(.snapshot, EC2Images.describe(ids: ids))?.items("imagesSet")
            .compactMap { EC2Images.snapshot($0, providerID: record.id) } ?? []
    }

    /// DeregisterImage, then DeleteSnapshot of the EBS snapshots it was made of (EC2 keeps, and
    /// bills, them otherwise).
    func destroySnapshot(_ id: String) throws(FabricError) {
        try EC2ID.check(id, .image, "snapshot id")
        guard let image = try session.call(.snapshot, EC2Images.describe(ids: [id]))?.items("imagesSet").first,
              image.text("imageState") != "deregistered" else {
            throw FabricError.snapshot("snapshot \(id) not found on provider \(quoted(record.id))")
        }
        let snapshots = EC2Images.ebsSnapshots(image)
        for snapshot in snapshots { try EC2ID.check(snapshot, .snapshot) }
        var deregister = EC2Query("DeregisterImage")
        deregister.set("ImageId", id)
        try session.call(.snapshot, deregister, tolerating: ["InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"])
        for snapshot in snapshots {
            var delete = EC2Query("DeleteSnapshot")
            delete.set("SnapshotId", snapshot)
            try session.call(.snapshot, delete, tolerating: ["InvalidSnapshot.NotFound"])
        }
    }
}

/// Runs a step whose value the caller can do without; the value, or nil on failure.
func attemptValue<T>(_ body: () throws(FabricError) -> T) -> T? {
    do { return try body() } catch { return nil }
}
