import Foundation
import Testing

/// The AMAZON provider end to end: the wrapper and the tools, as a user types them, against moto
/// behind a strict proxy (Tests/Moto), asserting on the EC2 requests the proxy received and on
/// what EC2 holds afterwards (boto3's own signed Describe* calls). No test connects to an
/// address moto hands out.
@Suite struct AmazonTests {
    func expectNothingLeft(_ h: Harness, _ ec2: LocalEC2, store: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let left = try ec2.leftovers()
        #expect(left.instances == 0 && left.addresses == 0 && left.images == 0 && left.snapshots == 0, "\(left)",
                sourceLocation: sourceLocation)
        if store { #expect(h.sh("fabric-store list machines").stdout.isEmpty, sourceLocation: sourceLocation) }
    }

    // MARK: the demo workflow

    @Test func demoWorkflowLeavesNothing() throws {
        let h = Harness(), ec2 = try LocalEC2()
        // The issue's own command: the secret as an argument, the region as the tenant.
        let registered = h.sh("fabric --json provider register aws \(ec2.accessKey) '\(ec2.secretKey)' \(ec2.url) us-east-1 "
                              + "--provider_type AMAZON --default_image mysql-8.4-golden --default_flavor t3.micro")
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.records.first?["type"] as? String == "AMAZON")
        #expect(!registered.stdout.contains(ec2.secretKey))

        let created = h.sh("fabric --json machine create aws --number_machines 3 --public_network amazon")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.records.count == 3)
        let runs = try ec2.requests("RunInstances")
        #expect(runs.count == 1, "one RunInstances boots every machine")
        let run = try #require(runs.first)
        #expect(run["MinCount"] == "3" && run["MaxCount"] == "3")
        #expect(run["ImageId"] == ec2.seed["golden_image"] as? String && run["InstanceType"] == "t3.micro")
        let group = try #require(created.records.first?["group"] as? String)
        #expect(run["ClientToken"]?.hasPrefix(group) == true, "the group is the idempotency key: \(run)")

        let held = try ec2.liveInstances()
        #expect(held.count == 3)
        for instance in held {
            let tags = instance["tags"] as? [String: String] ?? [:]
            #expect(tags["fabric_group"] == group && tags["fabric_provider"] == "aws")
            #expect(instance["state"] as? String == "running")
        }
        let addresses = try ec2.state()["addresses", default: []]
        #expect(addresses.count == 3)
        for record in created.records {
            #expect(record["status"] as? String == "ACTIVE")
            let uuid = try #require(record["uuid"] as? String)
            #expect(uuid.hasPrefix("i-"))
            let address = try #require(addresses.first { $0["instance"] as? String == uuid })
            // Only the Elastic IP is the machine's public address; none was given at launch.
            #expect(record["public_addresses"] as? [String] == [address["public_ip"] as? String ?? "?"])
            #expect((address["tags"] as? [String: String])?["fabric_machine_uuid"] == uuid)
        }
        #expect(Set(created.records.compactMap { $0["name"] as? String }).count == 3, "each machine has a name of its own")
        // fabric-wait asks once per round for all machines, not once per machine.
        let describes = try ec2.requests("DescribeInstances")
        #expect(!describes.isEmpty && describes.allSatisfy {
            $0["Filter.1.Name"] == "instance-id" && $0["Filter.1.Value.3"] != nil && $0["Filter.1.Value.4"] == nil
        }, "\(describes)")

        let listed = h.sh("fabric --json machine list aws")
        #expect(listed.records.count == 3)
        let fromEC2 = h.sh("fabric --json machine list aws --skip_store")
        #expect(Set(fromEC2.records.compactMap { $0["uuid"] as? String }) == Set(listed.records.compactMap { $0["uuid"] as? String }))

        let uuid = try #require(listed.records.first?["uuid"] as? String)
        let snapshot = h.sh("fabric --json snapshot create aws \(uuid) --wait_spawning --name mysql-8.4-configured")
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(snapshot.records.first?["status"] as? String == "active")
        let image = try #require(snapshot.records.first?["id"] as? String)
        let images = try ec2.state()["images", default: []]
        let made = try #require(images.first { $0["id"] as? String == image })
        #expect((made["tags"] as? [String: String])?["fabric_machine_uuid"] == uuid)
        let ebs = made["snapshots"] as? [String] ?? []
        #expect(!ebs.isEmpty, "the image is made of EBS snapshots: \(made)")
        // A snapshot boots machines like any image: found by name.
        let found = h.sh("fabric-find-image -p aws --image name=mysql-8.4-configured")
        #expect((found.records.first?["image"] as? [String: Any])?["id"] as? String == image)
        #expect((found.records.first?["image"] as? [String: Any])?["image_type"] as? String == "snapshot")

        let destroyedSnapshot = h.sh("fabric --json snapshot destroy aws \(uuid)")
        #expect(destroyedSnapshot.status == 0, "\(destroyedSnapshot.stderr)")
        let after = try ec2.state()
        #expect(!after["images", default: []].contains { $0["id"] as? String == image })
        #expect(!after["snapshots", default: []].contains { ebs.contains($0["id"] as? String ?? "") }, "its EBS snapshots go too")

        for record in listed.records {
            let destroyed = h.sh("fabric machine destroy aws \(record["uuid"] as! String)")
            #expect(destroyed.status == 0, "\(destroyed.stderr)")
        }
        try expectNothingLeft(h, ec2)
        #expect(try ec2.changingActions().filter { $0 == "ReleaseAddress" }.count == 3)
        #expect(h.sh("fabric provider unregister aws").status == 0)
        #expect(h.sh("fabric-store list providers").stdout.isEmpty)
    }

    @Test func imagesAndFlavorsAreSearchedWithTheSpecsKeys() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h, extra: ["image_owners=self,amazon"]).status == 0)
        let golden = h.sh("fabric-find-image -p aws --image name=mysql-8.4-golden --image mysql_version=8.4")
        let image = try #require(golden.records.first?["image"] as? [String: Any], "\(golden.stderr)")
        #expect(image["id"] as? String == ec2.seed["golden_image"] as? String)
        #expect((image["min_disk"] as? Int ?? 0) > 0, "min_disk is the root device's size: \(image)")
        #expect(image["architecture"] as? String == "x86_64" && image["owner"] as? String == ec2.account)
        let byID = h.sh("fabric-find-image -p aws --image id=\(ec2.seed["base_image"] as! String)")
        #expect((byID.records.first?["image"] as? [String: Any])?["owner_alias"] as? String == "amazon", "\(byID.stderr)")

        let flavor = h.sh("fabric-find-image -p aws | fabric-find-flavor --flavor vcpus=2 --flavor ram=8192 --flavor name=m5.large")
        let found = try #require(flavor.records.first?["flavor"] as? [String: Any], "\(flavor.stderr)")
        #expect(found["id"] as? String == "m5.large" && found["vcpus"] as? Int == 2 && found["ram"] as? Int == 8192)
        // EC2 pages instance types (100 a page, then nextToken); every page is read, once.
        try ec2.clearRequests()
        let all = h.sh("fabric-find-flavor -p aws --all -n")
        let pages = try ec2.requests("DescribeInstanceTypes")
        #expect(all.records.count > 500, "\(all.records.count) instance types")
        #expect(pages.count == (all.records.count + 99) / 100 && pages.allSatisfy { $0["MaxResults"] == "100" },
                "\(pages.count) pages for \(all.records.count) types")
        #expect(pages.dropFirst().allSatisfy { $0["NextToken"] != nil })
        h.expectFailure("fabric-find-image -p aws --image name=no-such-image", 1, "no image on provider \"aws\" matches name=no-such-image")
    }
}
