import Foundation
import Testing

/// fabric-find-image and fabric-find-flavor ask the cloud for what is searched (issue 22): the
/// requests the fake cloud and the EC2 proxy receive for a search by name, by id and by
/// properties; a cloud that ignores the filters gives the same answer; the flavors are kept in
/// the store for catalog_ttl, dropped on register, and looked for in the cloud once more when
/// the store's copy has no match.
@Suite struct CatalogSearchTests {
    static let debian = "7c1e0a3b-0000-4000-8000-00000000c003"

    func register(_ t: Harness, _ cloud: FakeCloud, id: String, extra: [String] = []) {
        let extras = (["network=private"] + extra).map { "--extra \($0)" }.joined(separator: " ")
        let result = t.sh("fabric provider register \(id) admin secret \(cloud.identityV3) demo "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(extras)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The catalogue requests (Glance and Nova) received since the last clear, as
    /// "METHOD path?query" with the query's parameters sorted.
    func catalogRequests(_ cloud: FakeCloud) throws -> [String] {
        try cloud.requests().compactMap { request in
            let path = request["path"] as? String ?? ""
            guard path.contains("/v2/images") || path.contains("/flavors") else { return nil }
            let query = (request["query"] as? [String: Any] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
            return "\(request["method"] as? String ?? "?") \(path)\(query.isEmpty ? "" : "?" + query)"
        }
    }

    /// Each search as a user types it, with what it found (the first record's image or flavor
    /// name) and the catalogue requests it sent.
    func searches(_ t: Harness, _ cloud: FakeCloud) throws -> [(found: String, requests: [String])] {
        var results: [(found: String, requests: [String])] = []
        for command in ["fabric-find-image -p os --image name=debian-12-cloudinit",
                        "fabric-find-image -p os --image id=\(Self.debian)",
                        "fabric-find-image -p os --image os_distro=ubuntu --image min_disk=10",
                        "fabric-find-flavor -p os -n --flavor ram=4096 --flavor vcpus=2 --flavor disk=40 --flavor name=m1.medium",
                        "fabric-find-flavor -p os -n --flavor id=4"] {
            try cloud.clearRequests()
            let found = t.sh(command)
            #expect(found.status == 0, "\(command): \(found.stderr)")
            let record = found.records.first
            let name = (record?["image"] as? [String: Any] ?? record?["flavor"] as? [String: Any])?["name"] as? String ?? "-"
            results.append((name, try catalogRequests(cloud)))
        }
        return results
    }

    @Test func openStackSearchesAskGlanceAndNovaForWhatIsSearched() throws {
        let t = Harness(), cloud = try FakeCloud()
        register(t, cloud, id: "os", extra: ["catalog_ttl=0"])
        let filtered = try searches(t, cloud)
        #expect(filtered.map(\.found) == ["debian-12-cloudinit", "debian-12-cloudinit", "ubuntu-24.04-mysql-8.4", "m1.medium", "m1.large"])
        #expect(filtered.map(\.requests) == [
            ["GET /image/v2/images?limit=1000&name=debian-12-cloudinit&status=active"],
            ["GET /image/v2/images/\(Self.debian)"],
            ["GET /image/v2/images?limit=1000&min_disk=10&os_distro=ubuntu&status=active"],
            ["GET /compute/v2.1/flavors/detail?minDisk=40&minRam=4096"],
            ["GET /compute/v2.1/flavors/4"],
        ])
        // A value Glance would read as an operator is compared on the client only.
        try cloud.clearRequests()
        #expect(t.sh("fabric-find-image -p os --image name=in:a,b").status == 1)
        #expect(try catalogRequests(cloud) == ["GET /image/v2/images?limit=1000&status=active"])

        // A cloud that ignores the filters answers with everything: the same images and flavors.
        try cloud.config(["ignore_filters": true])
        #expect(try searches(t, cloud).map(\.found) == filtered.map(\.found))
        t.expectFailure("fabric-find-flavor -p os -n --flavor id=no-such-flavor", 1, "no flavor on provider \"os\" matches id=no-such-flavor")
    }

    @Test func flavorsAreKeptInTheStoreForCatalogTTL() throws {
        let t = Harness(), cloud = try FakeCloud()
        register(t, cloud, id: "os")
        let create = "fabric-find-image -p os --image name=cirros-0.6.2 | fabric-find-flavor --flavor name=m1.small"
        func flavorRequests() throws -> Int {
            try catalogRequests(cloud).filter { $0.contains("/flavors") }.count
        }
        try cloud.clearRequests()
        #expect(t.sh(create).status == 0)
        #expect(try flavorRequests() == 1)
        #expect(t.sh(create).records.first?["flavor"] != nil)
        #expect(try flavorRequests() == 1, "the second search is answered from the store")

        // Registered again: what was kept is dropped.
        #expect(t.sh("fabric provider unregister os").status == 0)
        register(t, cloud, id: "os")
        #expect(t.sh(create).status == 0)
        #expect(try flavorRequests() == 2)

        // A search the kept catalogue has no match for asks the cloud once, and finds what it added.
        #expect(t.sh("fabric-find-flavor -p os -n --all").records.count == 6)
        try cloud.config(["extra_flavors": 1])
        try cloud.clearRequests()
        let added = t.sh("fabric-find-flavor -p os -n --flavor name=bulk.flavor.0001")
        #expect((added.records.first?["flavor"] as? [String: Any])?["id"] as? String == "bulk-0001", "\(added.stderr)")
        #expect(try flavorRequests() == 1)
        t.expectFailure("fabric-find-flavor -p os -n --flavor name=no-such-flavor", 1, "no flavor on provider \"os\" matches name=no-such-flavor")
        #expect(try flavorRequests() == 2, "a search with no match asks the cloud once")

        // catalog_ttl=600 keeps them ten minutes; catalog_ttl=0 not at all. Kept longer than
        // that is made without a clock: the kept copy is dated 601 s back in the store.
        register(t, cloud, id: "kept", extra: ["catalog_ttl=600"])
        register(t, cloud, id: "never", extra: ["catalog_ttl=0"])
        try cloud.clearRequests()
        for id in ["kept", "kept", "never", "never"] { #expect(t.sh("fabric-find-flavor -p \(id) -n --flavor name=m1.tiny").status == 0) }
        #expect(try flavorRequests() == 3)
        #expect(t.sql("SELECT count(*) FROM catalogs WHERE provider_id = 'kept'") == ["1"], "the kept copy is in the store")
        _ = t.sql("UPDATE catalogs SET fetched = fetched - 601 WHERE provider_id = 'kept'")
        #expect(t.sh("fabric-find-flavor -p kept -n --flavor name=m1.tiny").status == 0)
        #expect(try flavorRequests() == 4, "kept longer than catalog_ttl: asked again")
        #expect(t.sh("fabric-find-flavor -p kept -n --flavor name=m1.tiny").status == 0)
        #expect(try flavorRequests() == 4, "and the new answer is kept")
    }

    @Test func ec2SearchesSendFiltersAndInstanceTypes() throws {
        let t = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(t, extra: ["catalog_ttl=0"]).status == 0)
        let golden = try #require(ec2.seed["golden_image"] as? String)
        func filters(_ params: [String: String]) -> [String] {
            var found: [String] = []
            var index = 1
            while let name = params["Filter.\(index).Name"] {
                found.append(name + "=" + (params["Filter.\(index).Value.1"] ?? ""))
                index += 1
            }
            return found
        }
        func search(_ command: String) throws -> (found: String, flavors: [[String: Any]], images: [[String]], types: [[String: String]]) {
            try ec2.clearRequests()
            let result = t.sh(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            let record = result.records.first
            let name = (record?["image"] as? [String: Any] ?? record?["flavor"] as? [String: Any])?["name"] as? String ?? "-"
            return (name, result.records.compactMap { $0["flavor"] as? [String: Any] }, try ec2.requests("DescribeImages").map(filters),
                    try ec2.requests("DescribeInstanceTypes").map { $0.filter { $0.key != "Action" && $0.key != "Version" } })
        }
        let commands = ["fabric-find-image -p aws --image name=mysql-8.4-golden", "fabric-find-image -p aws --image id=\(golden)",
                        "fabric-find-image -p aws --image mysql_version=8.4 --image architecture=x86_64",
                        "fabric-find-flavor -p aws -n --flavor name=m5.large", "fabric-find-flavor -p aws -n --flavor vcpus=2 --flavor ram=8192 --all"]
        let filtered = try commands.map(search)
        #expect(filtered.prefix(4).map(\.found) == ["mysql-8.4-golden", "mysql-8.4-golden", "mysql-8.4-golden", "m5.large"])
        // The search by properties finds instance types, each with 2 vCPUs and 8192 MiB, m5.large among them.
        let matched = filtered[4].flavors
        #expect(!matched.isEmpty && matched.allSatisfy { $0["vcpus"] as? Int == 2 && $0["ram"] as? Int == 8192 }, "\(matched)")
        #expect(matched.contains { $0["name"] as? String == "m5.large" }, "\(matched.compactMap { $0["name"] })")
        #expect(filtered[0].images == [["name=mysql-8.4-golden", "state=available"]])
        #expect(filtered[1].images == [["image-id=\(golden)", "state=available"]])
        #expect(filtered[2].images == [["tag:mysql_version=8.4", "architecture=x86_64", "state=available"]])
        #expect(filtered[3].types == [["InstanceType.1": "m5.large"]], "one request, no paging")
        #expect(filters(filtered[4].types.first ?? [:]) == ["vcpu-info.default-vcpus=2", "memory-info.size-in-mib=8192"])
        // An instance type EC2 does not know is none, not an error of EC2's.
        t.expectFailure("fabric-find-flavor -p aws -n --flavor name=m9.nonesuch", 1, "no flavor on provider \"aws\" matches name=m9.nonesuch")

        try ec2.config(["ignore_filters": true])
        let ignored = try commands.map(search)
        #expect(ignored.map(\.found) == filtered.map(\.found))
        #expect(Set(ignored[4].flavors.compactMap { $0["name"] as? String }) == Set(matched.compactMap { $0["name"] as? String }),
                "a cloud that ignores the filters gives the same instance types")
        #expect(ignored[3].types.count > 1, "every page of instance types was read")
    }
}
