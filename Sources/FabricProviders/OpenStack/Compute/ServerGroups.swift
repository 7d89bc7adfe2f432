import FabricHTTP
import FabricRecords

/// Nova server groups (os-server-groups): the anti-affinity group that keeps a fabric group's
/// members on different hosts, and the limits (quotas) that bound them.
enum ServerGroups {
    static func collection(_ compute: String) -> String { compute + "/os-server-groups" }
    /// One page of Nova's most (its `max_limit`, 1000 by default): fabric's are found among a
    /// project's first thousand server groups.
    static func list(_ compute: String) -> String {
        QueryString([("limit", "1000"), ("offset", "0")]).appended(to: collection(compute))
    }
    static func one(_ compute: String, _ id: String) throws(FabricError) -> String {
        collection(compute) + "/" + (try pathSegment(id))
    }
    static func limits(_ compute: String) -> String { compute + "/limits" }

    /// `soft-anti-affinity` came with 2.15; `policy` and `rules` (max_server_per_host) replaced
    /// `policies` at 2.64.
    static let softPolicies: Microversion.Version = (2, 15)
    static let policyWithRules: Microversion.Version = (2, 64)

    /// Server groups carry no tags: fabric's name says whose it is and how it spreads,
    /// "fabric:PROVIDER:GROUP:host" (the machines' fabric_spread tag), so a group that changes
    /// its spread gets a group of the new policy and none is ever reused with another.
    static func namePrefix(provider: String, group: String) -> String { "fabric:\(provider):\(group):" }
    static func name(provider: String, group: String, tag: String) -> String { namePrefix(provider: provider, group: group) + tag }

    static func policy(_ spread: Spread) -> String { spread == .soft ? "soft-anti-affinity" : "anti-affinity" }

    /// The create body at `version`, or why the cloud's API cannot express the request.
    static func createBody(name: String, request: BootRequest, version: Microversion.Version) throws(FabricError) -> JSON {
        let group = JSON(["name": JSON(name)])
        if Microversion.less(version, policyWithRules) {
            if request.spread == .soft && Microversion.less(version, softPolicies) {
                throw FabricError.usage("--spread soft needs Nova's soft-anti-affinity (compute API 2.15); this cloud speaks \(Microversion.text(version))",
                                        hint: "use --spread host")
            }
            if request.maxPerHost != nil {
                throw FabricError.usage("--max_per_host needs Nova's max_server_per_host rule (compute API 2.64); this cloud speaks \(Microversion.text(version))")
            }
            group["policies"] = JSON([policy(request.spread)])
        } else {
            group["policy"] = JSON(policy(request.spread))
            if let most = request.maxPerHost { group["rules"] = JSON(["max_server_per_host": JSON(most)]) }
        }
        return JSON(["server_group": group])
    }

    /// A server group as Nova lists it, at any microversion.
    struct Group {
        let id: String, name: String, policy: String, members: [String]

        init?(_ json: JSON) {
            guard let id = json["id"]?.string, let name = json["name"]?.string else { return nil }
            self.id = id
            self.name = name
            policy = json["policy"]?.string ?? json["policies"]?.items.first?.string ?? ""
            members = json["members"]?.items.compactMap(\.string) ?? []
        }
    }

    /// The quotas a spread needs from `GET /limits`: how many server groups the project may hold
    /// and holds, how many members one may hold (-1: no limit).
    struct Quota {
        let groups: Int, groupsUsed: Int, membersPerGroup: Int

        init(_ limits: JSON?) {
            let absolute = limits?["limits"]?["absolute"]
            groups = absolute?["maxServerGroups"]?.int ?? -1
            groupsUsed = absolute?["totalServerGroupsUsed"]?.int ?? 0
            membersPerGroup = absolute?["maxServerGroupMembers"]?.int ?? -1
        }

        /// Refuses, before anything is made, a create that would exceed them.
        func check(group: String, existing: Group?, asked: Int) throws(FabricError) {
            if existing == nil && groups >= 0 && groupsUsed + 1 > groups {
                throw SpreadMessages.groupsQuota(used: groupsUsed, limit: groups)
            }
            let members = existing?.members.count ?? 0
            if membersPerGroup >= 0 && members + asked > membersPerGroup {
                throw SpreadMessages.membersQuota(group: group, members: members, asked: asked, limit: membersPerGroup)
            }
        }
    }

    static func availabilityZones(_ compute: String) -> String { compute + "/os-availability-zone" }
}
