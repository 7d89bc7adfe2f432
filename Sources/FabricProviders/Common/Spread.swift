import FabricRecords

/// How a group's members spread across the cloud's failure domains (fabric-boot --spread). A
/// group survives the loss of a host only if its members are on different hosts.
public enum Spread: String, CaseIterable, Sendable {
    /// The cloud places members as it likes.
    case none
    /// Every member on a host no other member of its group is on (at most --max-per-host): a Nova
    /// anti-affinity server group, an EC2 spread placement group. A member the cloud cannot
    /// place fails the create.
    case host
    /// On different hosts as far as the cloud can: a Nova soft-anti-affinity server group.
    case soft
    /// Round-robin over --availability-zones, each new member in the zone with the fewest.
    case zone

    /// Whether the cloud keeps a group of its own (a server or placement group) for the spread.
    public var placesByHost: Bool { self == .host || self == .soft }
}

/// A machine's fabric_spread tag read back: its policy and, for host, how many members one host
/// may hold.
public struct SpreadTag: Equatable, Sendable {
    public let policy: Spread
    public let maxPerHost: Int

    public init?(_ text: String?) {
        guard let text else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let policy = parts.first.flatMap(Spread.init(rawValue:)), policy != .none else { return nil }
        self.policy = policy
        if parts.count == 2 {
            guard policy == .host, let most = Int(parts[1]), most >= 1 else { return nil }
            maxPerHost = most
        } else {
            maxPerHost = 1
        }
    }

    /// Whether the cloud must keep members apart (a member sharing a host breaks the promise).
    public var isHard: Bool { policy == .host }
}

extension BootRequest {
    /// The fabric_spread tag its machines carry: nil without a spread.
    var spreadTag: String? {
        switch spread {
        case .none: nil
        case .host: maxPerHost.map { "host:\($0)" } ?? "host"
        case .soft, .zone: spread.rawValue
        }
    }

    /// The machines' name prefix for each zone's part of a zone spread: the zone in the names.
    func zonePart(_ zone: String, count: Int) -> BootRequest {
        var part = self
        part.count = count
        part.availabilityZone = zone
        part.namePrefix = namePrefix + "-" + zone
        return part
    }
}

/// Where the new members of a zone spread go: each to the zone that holds the fewest members of
/// its group (those already there counted), ties to the zone named first.
public enum ZonePlacement {
    public static func assign(_ count: Int, zones: [String], existing: [String: Int]) -> [(zone: String, count: Int)] {
        var held = zones.map { existing[$0] ?? 0 }
        var added = [Int](repeating: 0, count: zones.count)
        for _ in 0..<count {
            let fewest = held.indices.min { held[$0] < held[$1] }!
            held[fewest] += 1
            added[fewest] += 1
        }
        return zip(zones, added).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
    }

    /// The members to remove first in a scale down of a zone spread: from the zone holding the
    /// most, one at a time, each pick counted, ties to the earlier in `candidates` (whose order
    /// says who goes first otherwise). Members without a zone keep their place at the end.
    public static func removalOrder(_ candidates: [Machine], zoneOf: (Machine) -> String?, count: Int,
                                    members: [Machine]) -> [Machine] {
        var held: [String: Int] = [:]
        for member in members { if let zone = zoneOf(member) { held[zone, default: 0] += 1 } }
        var left = candidates
        var chosen: [Machine] = []
        while chosen.count < count, !left.isEmpty {
            let counts = left.map { zoneOf($0).flatMap { held[$0] } ?? -1 }
            let fullest = counts.firstIndex(of: counts.max()!)!
            let machine = left.remove(at: fullest)
            if let zone = zoneOf(machine) { held[zone, default: 0] -= 1 }
            chosen.append(machine)
        }
        return chosen
    }
}

extension Provider {
    /// A zone spread's parts: one request for each zone that gets members, counting the group's
    /// members already in each zone (one listing).
    public func zoneParts(_ request: BootRequest) throws(FabricError) -> [BootRequest] {
        var existing: [String: Int] = [:]
        for member in try listMachines() where member.group == request.group && !member.isGone {
            if let zone = member.avZone { existing[zone, default: 0] += 1 }
        }
        return ZonePlacement.assign(request.count, zones: request.availabilityZones, existing: existing)
            .map { request.zonePart($0.zone, count: $0.count) }
    }

    /// A zone spread's boot: one call of `bootInZone` per part, all or nothing (a zone that
    /// fails removes the zones made before it).
    func bootAcrossZones(_ request: BootRequest,
                         bootInZone: (BootRequest) throws(FabricError) -> [Machine]) throws(FabricError) -> [Machine] {
        let parts = try zoneParts(request)
        var made: [Machine] = []
        do throws(FabricError) {
            for part in parts {
                try Interruption.check()
                made += try bootInZone(part)
            }
        } catch {
            Interruption.cleaningUp {
                guard !made.isEmpty else { return }
                let failures = (try? destroy(made.map { MachineRef(uuid: $0.uuid, publicAddresses: $0.publicAddresses) }, force: false))
                    ?? Dictionary(uniqueKeysWithValues: made.map { ($0.uuid, error) })
                for (uuid, failure) in failures.sorted(by: { $0.key < $1.key }) {
                    warn("could not remove machine \(uuid) of the failed boot: \(failure.message)")
                }
            }
            throw error
        }
        return made
    }
}

/// What every provider says of a spread the cloud cannot keep, in the same words.
public enum SpreadMessages {
    /// Nova's fault for a server no host can take (its scheduler's NoValidHost).
    public static let noValidHost = "No valid host was found. There are not enough hosts available."

    /// More members than one server group may hold (Nova's server_group_members quota): refused
    /// before anything is made.
    static func membersQuota(group: String, members: Int, asked: Int, limit: Int) -> FabricError {
        FabricError.machine("--spread: group \(group) has \(members) member\(members == 1 ? "" : "s") and \(asked) more were asked; the cloud's server_group_members quota allows \(limit) in one group",
                            hint: "ask the cloud's operator for a higher server_group_members quota, or use --spread zone")
    }

    /// No room for one more server group (Nova's server_groups quota).
    static func groupsQuota(used: Int, limit: Int) -> FabricError {
        FabricError.machine("--spread: the project holds \(used) server groups and its server_groups quota is \(limit); a new group needs one more",
                            hint: "destroy an unused server group, or ask for a higher server_groups quota")
    }

    /// A machine the cloud placed nowhere because of its group's hard spread.
    public static func unplaceable(_ machine: Machine, tag: SpreadTag, groupSize: Int) -> FabricError {
        FabricError.machine("machine \(machine.uuid) (\(machine.name)): --spread host (anti-affinity, at most \(tag.maxPerHost) per host) cannot place \(groupSize) members of group \(machine.group ?? "") on the cloud's hosts: \(machine.fault ?? noValidHost)",
                            hint: "use --spread soft to place them as far apart as the hosts allow, or fewer members")
    }

    /// A member the cloud put on a host that already held as many of its group as the hard
    /// spread allows (a concurrent create the cloud's late check missed).
    public static func sharedHost(_ machine: Machine, with others: [Machine], tag: SpreadTag) -> FabricError {
        FabricError.machine("machine \(machine.uuid) (\(machine.name)) shares host \(machine.hostID ?? "") with \(others.map(\.name).joined(separator: ", ")) of group \(machine.group ?? "") despite --spread host (at most \(tag.maxPerHost) per host): the cloud's anti-affinity check missed a concurrent create",
                            hint: "the create is undone, all or nothing; run it again")
    }
}
