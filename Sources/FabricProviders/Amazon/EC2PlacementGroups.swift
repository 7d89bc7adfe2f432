import FabricHTTP
import FabricRecords

/// `--spread` on EC2. `host`: one spread placement group per fabric group, named
/// fabric-<provider>-<group> and tagged with fabric's tags, found again by its name, made at
/// the group's first create and deleted with its last member (`releasePlacement`). EC2 puts
/// every instance of a spread group on hardware (a rack) of its own and keeps at most 7
/// running instances of one group in an availability zone. `zone`: each zone's part launched
/// in a subnet of that zone. `soft` and `--max-per-host` have no EC2 equivalent.
enum EC2PlacementGroups {
    /// EC2's most running instances of one spread placement group in one availability zone.
    static let maxPerZone = 7

    /// The group's placement group name; EC2 takes up to 255 ASCII characters, which a valid
    /// provider id and group name always fit.
    static func name(providerID: String, group: String) throws(FabricError) -> String {
        let name = "fabric-\(providerID)-\(group)"
        guard name.utf8.count <= 255, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw FabricError.usage("the placement group name \(quoted(name)) of group \(quoted(group)) is not up to 255 ASCII characters, as EC2 takes them")
        }
        return name
    }

    static func create(_ name: String, group: String, providerID: String) -> EC2Query {
        var query = EC2Query("CreatePlacementGroup")
        query.set("GroupName", name)
        query.set("Strategy", "spread")
        query.tag("placement-group", [(key: FabricMetadata.group, value: group), (key: FabricMetadata.provider, value: providerID)])
        return query
    }

    /// The placement group of that name, by a filter: none is an empty set, not an error
    /// (GroupName.N fails with InvalidPlacementGroup.Unknown).
    static func describe(_ name: String) -> EC2Query {
        var query = EC2Query("DescribePlacementGroups")
        query.filter("group-name", [name])
        return query
    }

    static func delete(_ name: String) -> EC2Query {
        var query = EC2Query("DeletePlacementGroup")
        query.set("GroupName", name)
        return query
    }
}

extension AmazonProvider {
    /// What EC2 cannot do with --spread beside what its BootLimits refuse (soft, a number per
    /// host): before any request.
    func refuseSpread(_ request: BootRequest) throws(FabricError) {
        switch request.spread {
        case .host:
            if request.schedulerHints.contains(where: { ["placement_group", "group"].contains($0.key) }) {
                throw FabricError.usage("--spread host launches the machines in the group's own spread placement group (fabric-\(record.id)-\(request.group)); an instance is in one placement group only, so it excludes --scheduler_hints placement_group=...")
            }
        case .zone:
            if !request.privateNics.isEmpty || !request.publicNics.isEmpty {
                throw FabricError.usage("--spread zone launches each zone's part in a subnet of that zone; --private_nics and --public_nics name subnets, which are each in one zone",
                                        hint: "give one subnet per zone with --private_network subnet-...,subnet-..., or leave it out for each zone's default subnet")
            }
        case .none, .soft:
            break
        }
        if request.spread != .zone, let network = request.privateNetwork, network.contains(",") {
            throw FabricError.usage("--private_network \(quoted(network)): a list of subnets goes with --spread zone (one subnet per zone)")
        }
    }

    /// --spread zone: the subnet of each zone, found in one DescribeSubnets before any launch.
    /// --private_network names them (subnet ids, comma-separated, or one id or Name tag that
    /// subnets in several zones share); without it, each zone's default subnet. A zone with
    /// none is refused, naming the zones there are subnets in.
    func zoneSubnets(_ request: BootRequest) throws(FabricError) -> [String: EC2Subnet] {
        let zones = request.availabilityZones
        var found: [EC2Subnet]
        if let network = request.privateNetwork {
            let names = network.split(separator: ",", omittingEmptySubsequences: false).map { String(String($0).trimmingSpaces) }
            if names.count > 1 {
                for name in names {
                    try EC2ID.check(name, .subnet, "--private_network \(quoted(name)) (with --spread zone, a list of subnet ids, one per zone)")
                }
                found = (try session.call(.machine, EC2Networks.subnets(ids: names))?.items("subnetSet") ?? []).compactMap(EC2Subnet.init)
                let missing = names.filter { name in !found.contains { $0.id == name } }
                if !missing.isEmpty { throw noSubnet(missing) }
            } else {
                found = (try session.call(.machine, EC2Networks.subnets(network))?.items("subnetSet") ?? []).compactMap(EC2Subnet.init)
                if found.isEmpty { throw noSubnet([network]) }
            }
        } else {
            found = (try session.call(.machine, EC2Networks.defaultSubnets(zones: []))?.items("subnetSet") ?? []).compactMap(EC2Subnet.init)
        }
        var byZone: [String: EC2Subnet] = [:]
        for subnet in found.sorted(by: { $0.id < $1.id }) {
            guard let zone = subnet.zone else { continue }
            if let other = byZone[zone], zones.contains(zone) {
                throw FabricError.usage("--spread zone: subnets \(other.id) and \(subnet.id) are both in zone \(zone); give one subnet per zone",
                                        hint: "--private_network subnet-...,subnet-... with one subnet of each of \(zones.joined(separator: ", "))")
            }
            byZone[zone] = subnet
        }
        let held = byZone.keys.sorted()
        for zone in zones where byZone[zone] == nil {
            let there = held.isEmpty ? "none" : held.joined(separator: ", ")
            if let network = request.privateNetwork {
                throw FabricError.usage("--spread zone: --private_network \(quoted(network)) has no subnet in availability zone \(quoted(zone)) (its subnets are in: \(there))",
                                        hint: "give one subnet of each zone of --availability_zones, comma-separated")
            }
            throw FabricError.usage("--spread zone: availability zone \(quoted(zone)) has no default subnet in region \(record.tenant) (the default subnets are in: \(there))",
                                    hint: "use zones of that list, or name a subnet of each zone with --private_network subnet-...,subnet-...")
        }
        return byZone
    }

    /// The group's members on this provider that are not gone.
    func groupMembers(_ group: String) throws(FabricError) -> [Machine] {
        try listMachines().filter { $0.group == group && !$0.isGone }
    }

    /// EC2's 7 running instances of a spread group per zone, checked before anything is made:
    /// the members in the zone the launch goes to, and those asked. When fabric does not know
    /// the zone (EC2 picks it), the zone holding the most members counts.
    func checkSpreadRoom(_ request: BootRequest, zone: String?, placementGroup: String) throws(FabricError) {
        var perZone: [String: [Machine]] = [:]
        for member in try groupMembers(request.group) { perZone[member.avZone ?? "", default: []].append(member) }
        let counted: (zone: String, members: [Machine])
        if let zone {
            counted = (zone, perZone[zone] ?? [])
        } else {
            let fullest = perZone.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }
            counted = (fullest.map { "\($0.key) (EC2 picks the launch's zone; this one holds the most)" } ?? "the zone EC2 picks", fullest?.value ?? [])
        }
        let limit = EC2PlacementGroups.maxPerZone
        guard counted.members.count + request.count > limit else { return }
        let members = counted.members.isEmpty ? "no members"
            : "\(counted.members.count) member\(counted.members.count == 1 ? "" : "s") (\(counted.members.map(\.name).sorted().joined(separator: ", ")))"
        throw FabricError.machine("--spread host: EC2 keeps at most \(limit) running instances of one spread placement group (\(placementGroup)) in an availability zone; group \(request.group) has \(members) in \(counted.zone) and \(request.count) more \(request.count == 1 ? "was" : "were") asked",
                                  hint: "use --spread zone over several zones (--availability_zones \(record.tenant)a,\(record.tenant)b,...) for a larger group, or ask for fewer members")
    }

    /// The placement group of that name, unless EC2 shows it deleted; one fabric cannot use
    /// for the group (not a spread group, another provider's, being deleted) is an error.
    func placementGroup(named name: String) throws(FabricError) -> XMLTree? {
        guard let group = try findPlacementGroup(name) else { return nil }
        if let refusal = unusable(group, name: name) { throw refusal }
        return group
    }

    private func findPlacementGroup(_ name: String) throws(FabricError) -> XMLTree? {
        let groups = try session.call(.machine, EC2PlacementGroups.describe(name))?.items("placementGroupSet") ?? []
        return groups.first { $0.text("groupName") == name && $0.text("state") != "deleted" }
    }

    /// Why fabric cannot launch the group's machines in this placement group, if it cannot.
    private func unusable(_ group: XMLTree, name: String) -> FabricError? {
        if let strategy = group.text("strategy"), strategy != "spread" {
            return FabricError.machine("placement group \(name) exists with strategy \(strategy), not spread",
                                       hint: "delete it (aws ec2 delete-placement-group --group-name \(name)) or use another --group")
        }
        if let owner = FabricMetadata.value(FabricMetadata.provider, in: ec2Tags(group)), owner != record.id {
            return FabricError.machine("placement group \(name) belongs to provider \(quoted(owner)), not \(quoted(record.id))",
                                       hint: "use another --group")
        }
        if group.text("state") == "deleting" {
            return FabricError.machine("placement group \(name) is being deleted (the group's last members were just destroyed)",
                                       hint: "run the create again once EC2 has deleted it")
        }
        return nil
    }

    /// The group's spread placement group, found or made; whether this call made it. One that a
    /// concurrent create made first (InvalidPlacementGroup.Duplicate) is found again; one whose
    /// CreatePlacementGroup reply was lost is looked up, and counts as made here.
    func ensurePlacementGroup(_ name: String, group: String) throws(FabricError) -> Bool {
        if try placementGroup(named: name) != nil { return false }
        let query = EC2PlacementGroups.create(name, group: group, providerID: record.id)
        switch session.create(.machine, query) {
        case .success(.success): return true
        case .success(.failure(let failure)):
            if failure.code == "InvalidPlacementGroup.Duplicate", try placementGroup(named: name) != nil { return false }
            throw session.error(.machine, query, failure)
        case .failure(let error):
            let found = Interruption.cleaningUp { attemptValue({ () throws(FabricError) in try placementGroup(named: name) }) }
            guard case .some(.some) = found else { throw error }
            return true
        }
    }

    /// After a failed create that made the placement group: it goes again when no member is
    /// left in it; a failure here is a warning.
    func removeEmptyPlacementGroup(_ name: String, group: String) {
        if let failure = attempt({ () throws(FabricError) in _ = try deleteIfEmpty(name, group: group) }) {
            warn("could not delete placement group \(name) made for the failed create: \(failure.message); remove it with: aws ec2 delete-placement-group --group-name \(name)")
        }
    }

    /// Deletes the group's placement group when none of its members is left (once those being
    /// terminated are gone: EC2 deletes a placement group only without instances); whether it
    /// went. A placement group already gone is fine.
    func deleteIfEmpty(_ name: String, group: String) throws(FabricError) -> Bool {
        let machines = try listMachines().filter { $0.group == group }
        guard machines.allSatisfy(\.isGone) else { return false }
        if !machines.isEmpty { try waitUntilTerminated(machines.map(\.uuid)) }
        // Not fabric's spread group, or already being deleted: nothing to do here.
        guard let found = try findPlacementGroup(name), unusable(found, name: name) == nil else { return false }
        try session.call(.machine, EC2PlacementGroups.delete(name), tolerating: ["InvalidPlacementGroup.Unknown"])
        return true
    }

    /// Each group's spread placement group, when no live member of the group is left on this
    /// provider: found by name (DescribePlacementGroups), then DeletePlacementGroup.
    func releasePlacement(groups: [String]) throws(FabricError) {
        for group in groups {
            _ = try deleteIfEmpty(try EC2PlacementGroups.name(providerID: record.id, group: group), group: group)
        }
    }
}
