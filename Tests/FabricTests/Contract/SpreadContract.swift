import Foundation
import Testing

/// A group spread across failure domains (issue: "spread a group across failure domains"), on
/// every cloud of the contract: `--spread host` puts each member on a host of its own (a Nova
/// anti-affinity server group, an EC2 spread placement group, the null provider's emulated
/// hosts), refuses cleanly what the hosts cannot hold, places it with `soft`, and leaves no
/// server or placement group once the group is empty; `--spread zone` places members
/// round-robin and a shrink takes from the fullest zone; quotas and bad options cost no create;
/// a member the cloud put beside another despite a hard spread undoes the create.
@Suite struct SpreadContract {
    func uuids(_ result: Harness.Result) -> [String] { result.records.compactMap { $0["uuid"] as? String } }

    /// The group's live members as the cloud's listing gives them (a failed listing fails the test).
    func members(_ h: Harness, _ p: String, _ group: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        ((try? h.listedRecords("fabric-list-machines -p \(p) --group \(group)", sourceLocation: sourceLocation)) ?? [])
            .filter { !["DELETED", "ERROR", "SOFT_DELETED"].contains($0["status"] as? String ?? "") }
    }

    @Test(arguments: CloudKind.onSQLite)
    func aHardSpreadKeepsMembersApartAndLeavesNothing(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let made = h.sh("fabric --json machine create \(p) --group sp --number_machines 3 --spread host --wait_spawning")
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.records.count == 3 && made.records.allSatisfy { $0["spread"] as? String == "host" }, "\(made.stdout)")
        let kept = h.sh("fabric-store group -p \(p) sp").records.first?["options"] as? [String] ?? []
        #expect(kept.contains("--spread=host"), "the group keeps its spread: \(kept)")
        if cloud.hosts != nil {
            let hosts = members(h, p, "sp").compactMap { $0["host_id"] as? String }
            #expect(hosts.count == 3 && Set(hosts).count == 3, "three members on three hosts: \(hosts)")
        }
        if let groups = try cloud.spreadGroups() {
            #expect(groups.count == 1 && Set(groups.values.first ?? []) == Set(uuids(made)), "one group of the cloud holds the three: \(groups)")
        }

        if let hosts = cloud.hosts {
            // One member more than hosts: refused, named, and nothing of it left.
            #expect(hosts == 3)
            let refused = h.expectFailure("fabric machine scale \(p) sp --to 4", 1, "--spread host")
            #expect(refused.stderr.contains("cannot place 4 members of group sp"), "\(refused.stderr)")
            #expect(members(h, p, "sp").count == 3 && h.count("machines") == 3, "the group is as it was")
            #expect(try cloud.liveMachines().count == 3, "the refused member is gone from the cloud")
            // Soft: placed all the same.
            let soft = h.sh("fabric --json machine scale \(p) sp --to 4 --spread soft")
            #expect(soft.status == 0 && soft.records.first?["spread"] as? String == "soft", "\(soft.stdout)\(soft.stderr)")
            #expect(members(h, p, "sp").count == 4)
        } else {
            // A cloud whose spread groups are always hard has no soft spread: refused before any request.
            try cloud.clearRequests()
            h.expectFailure("fabric machine scale \(p) sp --to 4 --spread soft", 64, "--spread soft")
            if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "a refused scale sent \(sent)") }
        }

        let emptied = h.sh("fabric --json machine scale \(p) sp --to 0")
        #expect(emptied.status == 0, "\(emptied.stderr)")
        if let groups = try cloud.spreadGroups() { #expect(groups.isEmpty, "the cloud's spread groups go with the last member: \(groups)") }
        try cloud.expectNothingLeft()
    }

    @Test(arguments: CloudKind.onSQLite)
    func aZoneSpreadRoundRobinsAndShrinksFromTheFullestZone(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let zones = cloud.zones
        func counts() -> [String: Int] {
            var counts: [String: Int] = [:]
            for member in members(h, p, "zs") { counts[member["av_zone"] as? String ?? "?", default: 0] += 1 }
            return counts
        }
        let made = h.sh("fabric --json machine create \(p) --group zs --number_machines 3 --spread zone --availability_zones \(zones.joined(separator: ",")) --wait_spawning")
        #expect(made.status == 0, "\(made.stderr)")
        #expect(counts() == [zones[0]: 2, zones[1]: 1], "round-robin, the first zone first: \(counts())")
        #expect(h.sh("fabric machine list \(p) --group zs").stdout.contains(zones[1]), "machine list shows the zone")
        #expect(h.sh("fabric --json machine scale \(p) zs --to 5").status == 0)
        #expect(counts() == [zones[0]: 3, zones[1]: 2], "the zone with the fewest gets the next: \(counts())")
        let shrunk = h.sh("fabric --json machine scale \(p) zs --to 4")
        #expect(shrunk.status == 0, "\(shrunk.stderr)")
        #expect(counts() == [zones[0]: 2, zones[1]: 2], "the fullest zone gives first: \(counts())")
        #expect(h.sh("fabric --json machine scale \(p) zs --to 3").status == 0)
        #expect(counts().values.sorted() == [1, 2], "a tie gives from either zone: \(counts())")
        #expect(h.sh("fabric --json machine scale \(p) zs --to 0").status == 0)
        try cloud.expectNothingLeft()
    }

    /// More members than one spread group may hold: refused with the quota's name, before any create.
    @Test(arguments: CloudKind.onSQLite)
    func aSpreadBeyondItsQuotaCostsNoCreate(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        guard let words = try cloud.limitSpreadMembers(to: 2) else { return }
        #expect(cloud.register().status == 0)
        try cloud.clearRequests()
        let refused = h.expectFailure("fabric machine create \(p) --group q --number_machines 3 --spread host --wait_spawning", 1, words)
        #expect(refused.stderr.contains("3 more were asked"), "\(refused.stderr)")
        if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "a refused create sent \(sent)") }
        try cloud.expectNothingLeft()
    }

    /// A member the cloud put beside another despite a hard spread (a concurrent create its late
    /// check missed): the create fails, all or nothing, and says so.
    @Test(arguments: CloudKind.onSQLite)
    func aMemberSharingAHostUndoesTheCreate(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        guard try cloud.raceSpread(share: true) else { return }
        #expect(cloud.register().status == 0)
        let failed = h.expectFailure("fabric machine create \(p) --group race --number_machines 3 --spread host --wait_spawning", 1,
                                     "despite --spread host")
        #expect(failed.stderr.contains("shares host"), "\(failed.stderr)")
        try cloud.expectNothingLeft()
        if let groups = try cloud.spreadGroups() { #expect(groups.isEmpty, "\(groups)") }
        // Where the cloud's late check catches the race, the member goes to ERROR: the same undoing.
        guard try cloud.raceSpread(share: false) else { return }
        let caught = h.expectFailure("fabric machine create \(p) --group race --number_machines 3 --spread host --wait_spawning", 1,
                                     "Anti-affinity instance group policy was violated")
        #expect(caught.stderr.contains("went to ERROR"), "\(caught.stderr)")
        try cloud.expectNothingLeft()
        if let groups = try cloud.spreadGroups() { #expect(groups.isEmpty, "\(groups)") }
    }

    @Test(arguments: CloudKind.onSQLite)
    func badSpreadsAreUsageErrorsBeforeAnyRequest(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        try cloud.clearRequests()
        let create = "fabric machine create \(p) --group bad --number_machines 2"
        h.expectFailure("\(create) --spread rack", 64, "--spread \"rack\": expected one of none, host, soft, zone")
        h.expectFailure("\(create) --max_per_host 2", 64, "--max_per_host goes with --spread host")
        h.expectFailure("\(create) --availability_zones \(cloud.zones.joined(separator: ","))", 64, "--availability_zones goes with --spread zone")
        h.expectFailure("\(create) --spread zone", 64, "--spread zone needs --availability_zones")
        h.expectFailure("\(create) --spread zone --availability_zones a,,b", 64, "an empty zone name")
        h.expectFailure("\(create) --spread host --max_per_host 0", 64, "--max_per_host")
        h.expectFailure("\(create) --spread host --scheduler_hints group=x", 64, "excludes --scheduler_hints group=")
        h.expectFailure("\(create) --spread zone --availability_zone \(cloud.zones[0]) --availability_zones \(cloud.zones.joined(separator: ","))",
                        64, "exclude each other")
        if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "bad options sent \(sent)") }
        // A zone the cloud does not have: refused before the first zone's machines are made.
        h.expectFailure("\(create) --spread zone --availability_zones \(cloud.zones[0]),atlantis", 64, "atlantis")
        if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "an unknown zone sent \(sent)") }
        try cloud.expectNothingLeft()
    }
}
