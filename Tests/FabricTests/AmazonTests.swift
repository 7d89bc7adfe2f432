import Foundation
import Testing

/// The AMAZON provider end to end: the wrapper and the tools, as a user types them, against moto
/// behind a strict proxy (Tests/Moto), asserting on the EC2 requests the proxy received and on
/// what EC2 holds afterwards (boto3's own signed Describe* calls). No test connects to an
/// address moto hands out. What every provider does (the workflow, an address not released,
/// an interrupted create, ids and usage errors, secrets) is the provider contract's
/// (Contract/ProviderContract.swift); here, what only EC2 has.
@Suite struct AmazonTests {
    func expectNothingLeft(_ h: Harness, _ ec2: LocalEC2, store: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let left = try ec2.leftovers()
        #expect(left.instances == 0 && left.addresses == 0 && left.images == 0 && left.snapshots == 0, "\(left)",
                sourceLocation: sourceLocation)
        if store { h.expectNothingListed("fabric-store list machines", sourceLocation: sourceLocation) }
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

    /// An AMI that exists but is not among `image_owners` is not found: the error says whose
    /// images were searched and which setting widens that, so it does not read as "no such AMI".
    @Test func anImageOfAnotherOwnerNamesImageOwners() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        let base = try #require(ec2.seed["base_image"] as? String)
        h.expectFailure("fabric-find-image -p aws --image id=\(base)", 1,
                        "no image on provider \"aws\" matches id=\(base); only images owned by self are searched (--extra image_owners=self)")
        #expect(ec2.register(h, id: "aws-market", extra: ["image_owners=aws-marketplace"]).status == 0)
        h.expectFailure("fabric-find-image -p aws-market --image id=\(base)", 1,
                        "only images owned by self, aws-marketplace are searched (--extra image_owners=aws-marketplace)")
        #expect(ec2.register(h, id: "aws-amazon", extra: ["image_owners=amazon"]).status == 0)
        let found = h.sh("fabric-find-image -p aws-amazon --image id=\(base)")
        #expect((found.records.first?["image"] as? [String: Any])?["id"] as? String == base, "\(found.stderr)")
    }

    // MARK: every create option

    @Test func everyCreateOptionMapsToRunInstances() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        let subnet = try #require(ec2.seed["subnet"] as? String)
        let vpcGroup = try #require(ec2.seed["vpc_security_group"] as? String)
        let snapshot = try #require(ec2.seed["snapshot"] as? String)
        let userdata = h.write("user-data", "#cloud-config\npackages: [mysql-server]\n")
        let created = h.sh("""
            fabric --json machine create aws --number_machines 2 --availability_zone us-east-1a --key_name fabric-key \
              --security_groups mysql --private_network db-private --userdata \(userdata) --swap 1536 \
              --block_device sdf=\(snapshot):snapshot:10:true --scheduler_hints placement_group=spread-db \
              --meta role=replica --meta tier=db --wait_spawning
            """)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.records.count == 2)
        let run = try #require(try ec2.requests("RunInstances").first)
        #expect(run["MinCount"] == "2" && run["MaxCount"] == "2")
        #expect(run["Placement.AvailabilityZone"] == "us-east-1a")
        #expect(run["Placement.GroupName"] == "spread-db")
        #expect(run["KeyName"] == "fabric-key")
        // A subnet of its own VPC: the group is resolved there and sent by id.
        #expect(run["SubnetId"] == subnet)
        #expect(run["SecurityGroupId.1"] == vpcGroup && run["SecurityGroup.1"] == nil)
        #expect(run["UserData"] == Data("#cloud-config\npackages: [mysql-server]\n".utf8).base64EncodedString())
        #expect(run["BlockDeviceMapping.1.DeviceName"] == "/dev/sdp" && run["BlockDeviceMapping.1.Ebs.VolumeSize"] == "2"
                && run["BlockDeviceMapping.1.Ebs.DeleteOnTermination"] == "true", "swap: 1536 MB is a 2 GiB volume")
        #expect(run["BlockDeviceMapping.2.DeviceName"] == "/dev/sdf" && run["BlockDeviceMapping.2.Ebs.SnapshotId"] == snapshot
                && run["BlockDeviceMapping.2.Ebs.VolumeSize"] == "10" && run["BlockDeviceMapping.2.Ebs.DeleteOnTermination"] == "true")
        let tags = (1...8).reduce(into: [String: String]()) { tags, index in
            if let key = run["TagSpecification.1.Tag.\(index).Key"] { tags[key] = run["TagSpecification.1.Tag.\(index).Value"] }
        }
        #expect(run["TagSpecification.1.ResourceType"] == "instance")
        #expect(tags["role"] == "replica" && tags["tier"] == "db" && tags["fabric_provider"] == "aws" && tags["fabric_group"] != nil)
        #expect(tags["Name"]?.hasPrefix("fabric-") == true)
        for instance in try ec2.liveInstances() {
            #expect(instance["subnet"] as? String == subnet && instance["key"] as? String == "fabric-key")
            #expect(instance["zone"] as? String == "us-east-1a" && instance["groups"] as? [String] == [vpcGroup])
            #expect(Set((instance["devices"] as? [String: String] ?? [:]).keys).isSuperset(of: ["/dev/sdp", "/dev/sdf"]))
            #expect((instance["tags"] as? [String: String])?["role"] == "replica")
        }
        for record in created.records {
            #expect(record["av_zone"] as? String == "us-east-1a")
            #expect((record["meta"] as? [String: String])?["tier"] == "db")
            #expect((record["addresses"] as? [String])?.first?.hasPrefix("10.20.1.") == true, "in the subnet: \(record)")
        }

        // Network interfaces: a subnet and a fixed address, and a public one.
        try ec2.clearRequests()
        let nic = h.sh("fabric --json machine create aws --private_nics net-id=\(subnet),v4-fixed-ip=10.20.1.50 --security_groups mysql")
        #expect(nic.status == 0, "\(nic.stderr)")
        let nicRun = try #require(try ec2.requests("RunInstances").first)
        #expect(nicRun["NetworkInterface.1.DeviceIndex"] == "0" && nicRun["NetworkInterface.1.SubnetId"] == subnet)
        #expect(nicRun["NetworkInterface.1.PrivateIpAddress"] == "10.20.1.50")
        #expect(nicRun["NetworkInterface.1.SecurityGroupId.1"] == vpcGroup && nicRun["SubnetId"] == nil)
        #expect((nic.records.first?["addresses"] as? [String])?.first == "10.20.1.50")
        try ec2.clearRequests()
        let publicNic = h.sh("fabric --json machine create aws --public_nics net-id=\(subnet)")
        #expect(publicNic.status == 0, "\(publicNic.stderr)")
        let publicRun = try #require(try ec2.requests("RunInstances").first)
        #expect(publicRun["NetworkInterface.1.SubnetId"] == subnet && publicRun["NetworkInterface.1.AssociatePublicIpAddress"] == "true")

        // Security groups by name in the default VPC go as names; by id as ids.
        try ec2.clearRequests()
        let defaultGroup = try #require(ec2.seed["security_group"] as? String)
        let named = h.sh("fabric --json machine create aws --security_groups mysql --security_groups \(defaultGroup)")
        #expect(named.status == 0, "\(named.stderr)")
        let namedRun = try #require(try ec2.requests("RunInstances").first)
        #expect(namedRun["SecurityGroup.1"] == "mysql" && namedRun["SecurityGroupId.1"] == defaultGroup)

        // --public_network: an Elastic IP per machine, none given at launch.
        try ec2.clearRequests()
        let elastic = h.sh("fabric --json machine create aws --public_network amazon")
        #expect(elastic.status == 0, "\(elastic.stderr)")
        let elasticRun = try #require(try ec2.requests("RunInstances").first)
        #expect(elasticRun["NetworkInterface.1.AssociatePublicIpAddress"] == "false")
        let allocate = try #require(try ec2.requests("AllocateAddress").first)
        #expect(allocate["Domain"] == "vpc" && allocate["PublicIpv4Pool"] == nil)
        #expect(try ec2.requests("AssociateAddress").first?["InstanceId"] == elastic.records.first?["uuid"] as? String)

        let dry = h.sh("fabric --json machine create aws --number_machines 4 --key_name fabric-key --dry_run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.records.first?["action"] as? String == "RunInstances")
        #expect((dry.records.first?["parameters"] as? [String: String])?["MaxCount"] == "4")
        #expect(try ec2.requests("RunInstances").count == 1, "--dry_run sends no RunInstances")

        let all = h.sh("fabric-store list machines | fabric-destroy | fabric-store remove")
        #expect(all.status == 0, "\(all.stderr)")
        try expectNothingLeft(h, ec2)
        let volumes = try ec2.state()["volumes", default: []].filter { $0["state"] as? String != "deleted" }
        #expect(volumes.isEmpty, "swap, block devices and root volumes go with their machines: \(volumes)")
    }

    // MARK: bad input

    @Test func whatEC2CannotDoIsRefusedBeforeAnythingIsCreated() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        let snapshot = try #require(ec2.seed["snapshot"] as? String)
        let motd = h.write("motd", "welcome\n")
        let big = h.write("big-user-data", String(repeating: "#", count: 20_000))
        let subnet = try #require(ec2.seed["subnet"] as? String)
        // Straight into fabric-boot (options dashed), as a user's own pipeline would: the image
        // and flavor records are what fabric-find-flavor writes.
        let record = #"{"provider_id":"aws","image":{"id":"\#(ec2.seed["golden_image"] as! String)"},"flavor":{"id":"t3.micro"}}"#
        let cases: [(options: String, status: Int32, message: String)] = [
            ("--files /etc/motd=\(motd)", 64, "EC2 cannot inject files (--files) (put them in --userdata: cloud-init's write_files"),
            ("--config-drive", 64, "EC2 has no config drive"),
            ("--scheduler-hints different_host=i-0123456789abcdef0", 64, "--scheduler_hints placement_group=NAME"),
            ("--scheduler-hints placement_group=a --scheduler-hints group=b", 64, "one placement group only"),
            ("--block-device sdf=vol-0123456789abcdef0:volume:10:true", 64, "cannot attach an existing volume at launch"),
            ("--block-device vdb=\(snapshot):snapshot:10:true", 64, "is not an EC2 device name (EC2 names EBS devices sdf to sdp"),
            ("--block-device sdf=\(snapshot):snapshot:10:true --block-device sdf=\(snapshot):snapshot:5:true", 64, "given twice"),
            ("--block-device sdf=snap-42:snapshot:10:true", 64, "is not an EC2 EBS snapshot id"),
            ("--public-network public", 64, "is not an Elastic IP pool of EC2 (use --public_network amazon"),
            ("--userdata \(big)", 64, "EC2 takes at most 16384"),
            ("--meta aws:owner=me", 64, "is reserved on EC2"),
            ("--meta Name=db1", 64, "is reserved on EC2"),
            ("--meta \(String(repeating: "k", count: 129))=v", 64, "EC2 takes keys of at most 128 characters"),
            ("--private-nics net-id=net-1234", 64, "is not an EC2 subnet id"),
            ("--number 2 --private-nics port-id=eni-0123456789abcdef0", 64, "a port-id nic is one port for one machine"),
            ("--private-nics net-id=\(subnet) --public-nics net-id=\(subnet)", 64, "one network interface only"),
            ("--private-network db-private --public-nics net-id=\(subnet)", 64, "give the private subnet as --private_nics"),
            ("--key-name no-such-key", 64, "key pair \"no-such-key\" not found"),
            ("--private-network no-such-net", 64, "no subnet named \"no-such-net\""),
            ("--security-groups mysql,no-such-group", 64, "security group \"no-such-group\" not found"),
            ("--private-network db-private --security-groups default,mysql,sg-0123456789abcdef0", 64, "\"sg-0123456789abcdef0\" not found"),
            ("--availability-zone mars-1a", 64, "availability zone \"mars-1a\" not found"),
            ("--spread soft", 64, "--spread soft: EC2 has no soft spread"),
            ("--spread host --max-per-host 2", 64, "--max-per-host: EC2 has no such rule"),
            ("--spread host --scheduler-hints placement_group=spread-db", 64, "excludes --scheduler_hints placement_group="),
            ("--spread zone --availability-zones us-east-1a,us-east-9z", 64, "availability zone \"us-east-9z\" has no default subnet"),
            ((1...48).map { "--meta k\($0)=v" }.joined(separator: " "), 64,
             "--meta given 48 times; EC2 takes at most 50 tags on a machine and fabric adds 4 (Name, fabric_group, fabric_batch, fabric_provider), which leaves 46"),
        ]
        for (options, status, message) in cases {
            let result = h.expectFailure("fabric-boot \(options)", status, message, stdin: record)
            #expect(result.stdout.isEmpty, "\(options): \(result.stdout)")
        }
        // And through the wrapper, with the spec's spellings.
        h.expectFailure("fabric machine create aws --files /etc/motd=\(motd)", 64, "EC2 cannot inject files")
        h.expectFailure("fabric machine create aws --config_drive", 64, "EC2 has no config drive")
        h.expectFailure("fabric machine create aws --key_name no-such-key --number_machines 2", 64, "key pair \"no-such-key\" not found")
        let changing = try ec2.changingActions()
        #expect(changing.isEmpty, "nothing but Describe* was sent: \(changing)")
        try expectNothingLeft(h, ec2)
    }

    /// A spread placement group holds at most 7 running instances per zone: fabric counts the
    /// group's members in the zone and refuses an eighth before any launch; another zone takes it.
    @Test func aSpreadPlacementGroupTakesSevenPerZone() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        let made = h.sh("fabric --json machine create aws --group wide --number_machines 7 --spread host --availability_zone us-east-1a --wait_spawning")
        #expect(made.status == 0, "\(made.stderr)")
        let group = try #require(try ec2.state()["placement_groups", default: []].first { $0["name"] as? String == "fabric-aws-wide" })
        #expect(group["strategy"] as? String == "spread" && (group["instances"] as? [String])?.count == 7, "\(group)")
        #expect((group["tags"] as? [String: String])?["fabric_group"] == "wide", "\(group)")
        try ec2.clearRequests()
        let refused = h.expectFailure("fabric machine scale aws wide --to 8", 1, "at most 7 running instances of one spread placement group")
        #expect(refused.stderr.contains("group wide has 7 members") && refused.stderr.contains("us-east-1a"), "\(refused.stderr)")
        let launched = try ec2.changingActions()
        #expect(launched.isEmpty, "an eighth in the zone costs no launch: \(launched)")
        let other = h.sh("fabric --json machine scale aws wide --to 8 --availability_zone us-east-1b")
        #expect(other.status == 0 && other.records.first?["av_zone"] as? String == "us-east-1b", "\(other.stdout)\(other.stderr)")
        #expect(h.sh("fabric machine scale aws wide --to 0").status == 0)
        #expect(try ec2.state()["placement_groups", default: []].allSatisfy { $0["name"] as? String != "fabric-aws-wide" }, "the group goes with its last member")
        try expectNothingLeft(h, ec2)
    }

    @Test func idsOfTheWrongShapeSendNoRequest() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        try ec2.clearRequests()
        h.expectFailure("fabric-destroy -p aws i-nothex", 64, "UsageError: machine (instance) id \"i-nothex\" is not an EC2 machine (instance) id")
        h.expectFailure(#"echo '{"kind":"machine","provider_id":"aws","uuid":"i-0123$(reboot)"}' | fabric-destroy"#, 64, "is not valid: a")
        h.expectFailure(#"echo '{"kind":"machine","provider_id":"aws","uuid":"../../etc"}' | fabric-wait"#, 64, "is not valid: a")
        h.expectFailure(#"echo '{"kind":"snapshot","provider_id":"aws","id":"ami-zz","machine_uuid":"i-0123456789abcdef0"}' | fabric-snapshot destroy"#,
                        3, "snapshot id \"ami-zz\" is not an EC2 image id")
        h.expectFailure("fabric-snapshot create -p aws i-123", 64, "is not an EC2 machine")
        h.expectFailure("fabric snapshot create aws i-0123456789abcdef0 --skip_store --name 'db;reboot'", 64, "is not an EC2 image name")
        h.expectFailure("fabric machine destroy aws i-xyz --skip_store", 64, "is not an EC2 machine")
        h.expectFailure(#"echo '{"provider_id":"aws","image":{"id":"ami-0123456789abcdef0&Action=TerminateInstances"},"flavor":{"id":"t3.micro"}}' | fabric-boot"#,
                        64, "is not an EC2 image id")
        h.expectFailure(#"echo '{"provider_id":"aws","image":{"id":"ami-0123456789abcdef0"},"flavor":{"id":"t3.micro&MaxCount=99"}}' | fabric-boot"#,
                        64, "is not an EC2 instance type")
        h.expectFailure(#"echo '{"kind":"machine","provider_id":"aws","uuid":"i-0123456789abcdef0 "}' | fabric-public-address --network amazon"#,
                        64, "is not valid: a")
        h.expectFailure(#"echo '{"kind":"machine","provider_id":"aws","uuid":"i-0123456789abcdef0"}' | fabric-public-address --network ipv4pool-ec2-zz"#,
                        64, "is not an Elastic IP pool")
        let sent = try ec2.actions()
        #expect(sent.isEmpty, "no request at all: \(sent)")

        // Registration: the region goes into the signature's scope, settings are checked then.
        h.expectFailure("fabric provider register bad A B \(ec2.url) 'us east' --provider_type AMAZON", 64, "is its region, like us-east-1")
        h.expectFailure("fabric provider register bad A B \(ec2.url) 'us:east:1' --provider_type ec2", 64, "is its region")
        h.expectFailure("fabric provider register bad A B ftp://x us-east-1 --provider_type AMAZON", 64, "must start with http:// or https://")
        h.expectFailure("fabric provider register bad A B - us-east-1 --provider_type AMAZON --extra image_owners=bob", 64,
                        "\"bob\" is not self, amazon, aws-marketplace or a 12-digit account id")
        h.expectFailure("fabric provider register bad A B - us-east-1 --provider_type AMAZON --extra region=x", 64,
                        "not a setting of AMAZON providers (known: image_owners")
        h.expectFailure("fabric provider register bad A 'two  spaces' - us-east-1 --provider_type AMAZON", 2, "not a secret access key")
        h.expectFailure("fabric provider register bad A:B C - us-east-1 --provider_type AMAZON", 2, "colon")
        h.expectFailure("fabric provider register bad --from-env --provider_type AMAZON", 64, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        h.expectFailure("fabric provider register bad --from-env --provider_type AMAZON", 64, "AWS_REGION",
                        env: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"])
        #expect(h.sh("fabric-store list providers").lines.count == 1, "only the good provider is registered")
        #expect(try ec2.requests().isEmpty)
    }

    // MARK: faults and rollback

    struct Fault {
        let name: String
        let rules: [[String: Any]]
        var knobs: [String: Any] = [:]
        /// nil: the create succeeds; otherwise the message it fails with.
        let failure: String?
    }

    static let createFaults: [Fault] = [
        Fault(name: "throttled RunInstances", rules: [["action": "RunInstances", "fault": "throttle", "times": 2]], failure: nil),
        Fault(name: "reply to RunInstances lost", rules: [["action": "RunInstances", "fault": "reset", "when": "after", "times": 1]], failure: nil),
        Fault(name: "500 after RunInstances worked", rules: [["action": "RunInstances", "fault": "500", "when": "after", "times": 1]], failure: nil),
        Fault(name: "503 on DescribeInstances", rules: [["action": "DescribeInstances", "fault": "503", "times": 2]], failure: nil),
        Fault(name: "reset before AllocateAddress", rules: [["action": "AllocateAddress", "fault": "reset", "times": 1]],
              failure: "EC2 AllocateAddress: POST"),
        Fault(name: "reply to AllocateAddress lost", rules: [["action": "AllocateAddress", "fault": "reset", "when": "after", "times": 1]],
              failure: "EC2 AllocateAddress: POST"),
        Fault(name: "AssociateAddress keeps failing", rules: [["action": "AssociateAddress", "fault": "500", "times": 20]],
              failure: "EC2 AssociateAddress failed: InternalError"),
        Fault(name: "RunInstances keeps failing", rules: [["action": "RunInstances", "fault": "500", "times": 20]],
              failure: "EC2 RunInstances failed: InternalError: An internal error has occurred"),
        Fault(name: "RunInstances keeps failing after the work", rules: [["action": "RunInstances", "fault": "503", "when": "after", "times": 20]],
              failure: "EC2 RunInstances failed: Unavailable"),
        Fault(name: "always throttled", rules: [["action": "RunInstances", "fault": "throttle", "times": 20]],
              failure: "RequestLimitExceeded: Request limit exceeded."),
        Fault(name: "a machine fails to launch", rules: [], knobs: ["fail_machine": 2],
              failure: "went to ERROR: the instance is terminated: Server.InternalError: Internal error on launch"),
    ]

    /// Each fault of a 2-machine create with Elastic IPs: success with exactly 2 machines (a lost
    /// reply is asked again with the same ClientToken, never launched twice), or a clean failure
    /// that leaves no machine, address or store row.
    /// In two halves, each with an EC2 of its own, so they run beside each other.
    @Test(arguments: [true, false])
    func createFaultsEndInSuccessOrLeaveNothing(recovered: Bool) throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h, extra: ["max_attempts=3"]).status == 0)
        var clean = 0
        let faults = Self.createFaults.filter { ($0.failure == nil) == recovered }
        for fault in faults {
            try ec2.clearRequests()
            try ec2.faults(fault.rules)
            try ec2.config(["fail_machine": fault.knobs["fail_machine"] ?? NSNull()])
            let result = h.sh("fabric --json machine create aws --number_machines 2 --public_network amazon")
            let runs = try ec2.requests("RunInstances")
            #expect(Set(runs.compactMap { $0["ClientToken"] }).count == 1, "\(fault.name): one ClientToken for every try")
            if let failure = fault.failure {
                #expect(result.status != 0, "\(fault.name): \(result.stdout)")
                #expect(result.stderr.contains(failure), "\(fault.name): \(result.stderr)")
                #expect(result.stdout.isEmpty)
            } else {
                #expect(result.status == 0, "\(fault.name): \(result.stderr)")
                #expect(result.records.count == 2)
                #expect(try ec2.liveInstances().count == 2, "\(fault.name): exactly the machines asked for")
                #expect(try ec2.state()["addresses", default: []].count == 2)
                let destroyed = h.sh("fabric-store list machines | fabric-destroy | fabric-store remove")
                #expect(destroyed.status == 0, "\(destroyed.stderr)")
            }
            try ec2.faults([])
            let left = try ec2.leftovers()
            let rows = h.sh("fabric-store list machines").stdout
            #expect(left.instances == 0 && left.addresses == 0 && rows.isEmpty, "\(fault.name) left \(left), store: \(rows)")
            if left.instances == 0 && left.addresses == 0 && rows.isEmpty { clean += 1 }
        }
        print("amazon: machine create against \(faults.count) faults \(recovered ? "it recovers from" : "that fail it"), \(clean) left nothing")
    }

    @Test func destroyAndSnapshotFaults() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h, extra: ["max_attempts=3"]).status == 0)
        let created = h.sh("fabric --json machine create aws --number_machines 2 --public_network amazon")
        #expect(created.status == 0, "\(created.stderr)")
        let uuids = created.records.compactMap { $0["uuid"] as? String }
        #expect(uuids.count == 2)

        // A lost reply to CreateImage: the image is found by its name, not made twice.
        try ec2.faults([["action": "CreateImage", "fault": "reset", "when": "after", "times": 1]])
        let snapshot = h.sh("fabric --json snapshot create aws \(uuids[0]) --wait_spawning --name configured-1")
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(try ec2.requests("CreateImage").count == 1, "CreateImage is never sent twice")
        #expect(try ec2.leftovers().images == 1)

        // A snapshot that fails is removed, with its EBS snapshots, and the error says why.
        try ec2.faults([])
        try ec2.config(["fail_snapshot": true])
        h.expectFailure("fabric --json snapshot create aws \(uuids[1]) --wait_spawning --name configured-2", 3,
                        "Client.InternalError: the snapshot of the volume failed")
        try ec2.config(["fail_snapshot": false])
        #expect(try ec2.leftovers().images == 1, "the failed snapshot is gone")
        #expect(try ec2.leftovers().snapshots == 1, "its EBS snapshot too")

        // Lost replies to DeregisterImage, DisassociateAddress and TerminateInstances are asked again.
        try ec2.faults([["action": "DeregisterImage", "fault": "reset", "when": "after", "times": 1],
                        ["action": "DisassociateAddress", "fault": "reset", "when": "after", "times": 1],
                        ["action": "TerminateInstances", "fault": "500", "when": "after", "times": 1]])
        for uuid in uuids {
            let destroyed = h.sh("fabric machine destroy aws \(uuid)")
            #expect(destroyed.status == 0, "\(destroyed.stderr)")
        }
        try expectNothingLeft(h, ec2)
        h.expectNothingListed("fabric-store list snapshots")
        h.expectFailure("fabric machine destroy aws \(uuids[0]) --skip_store", 1, "not found on provider \"aws\" (use --force")
        #expect(h.sh("fabric machine destroy aws \(uuids[0]) --skip_store --force").status == 0)
    }

    // MARK: interruption

    /// SIGTERM to `machine create` while RunInstances is on its way and while an Elastic IP is
    /// allocated: 143, and nothing left in EC2 or the store. (While the machines build: the
    /// provider contract's.)
    @Test func sigtermDuringCreateLeavesNothing() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        let stages: [(name: String, rules: [[String: Any]], knobs: [String: Any], reached: String)] = [
            ("RunInstances in flight", [["action": "RunInstances", "fault": "latency", "ms": 1500]], [:], "RunInstances"),
            ("AllocateAddress in flight", [["action": "AllocateAddress", "fault": "latency", "ms": 1500]], ["build_seconds": 0.3],
             "AllocateAddress"),
        ]
        for stage in stages {
            try ec2.clearRequests()
            try ec2.faults(stage.rules)
            try ec2.config(stage.knobs)
            let result = h.sh("""
                set -m
                env --default-signal=INT,TERM fabric --json machine create aws --number_machines 2 --public_network amazon > out.txt 2> err.txt &
                pid=$!
                set +m
                ok=0
                for _ in $(seq 500); do
                  if curl -s '\(ec2.url)_proxy/requests' | grep -q '"action": "\(stage.reached)"'; then ok=1; break; fi
                  sleep 0.02
                done
                sleep 0.2
                kill -TERM "$pid"
                wait "$pid"; echo "status $?"; echo "reached $ok"; cat err.txt
                """)
            #expect(result.stdout.contains("reached 1") && result.stdout.contains("status 143"), "\(stage.name): \(result.stdout)")
            let left = try ec2.leftovers()
            #expect(left.instances == 0 && left.addresses == 0, "\(stage.name) left \(left): \(result.stdout)")
            h.expectNothingListed("fabric-store list machines", "\(stage.name)")
            if stage.name == "RunInstances in flight" {
                #expect(try ec2.requests("RunInstances").count == 1)
                #expect(try ec2.requests("TerminateInstances").count >= 1, "the launch it followed to its reply was terminated")
            }
        }
        try ec2.faults([])
    }

    // MARK: secrets

    /// What of the secrets is EC2's own (that none shows in a workflow, on a command line or in
    /// a trace is the provider contract's): the issue's register command with the secret as an
    /// argument, the AWS CLI's variables with a session token, and a wrong token or secret
    /// reported as EC2's AuthFailure or SignatureDoesNotMatch, none of them printed.
    @Test func secretAndSessionTokenNeverShow() throws {
        let h = Harness(), ec2 = try LocalEC2(sessionToken: true)
        let secrets = try #require(ec2.sessionToken.map { [ec2.secretKey, $0] })
        // The issue's own command: the secret as an argument, the region as the tenant.
        let positional = h.sh("fabric --json provider register demo \(ec2.accessKey) '\(ec2.secretKey)' \(ec2.url) us-east-1 "
                              + "--provider_type AMAZON --default_image mysql-8.4-golden --default_flavor t3.micro")
        #expect(positional.status == 0, "\(positional.stderr)")
        #expect(positional.records.first?["type"] as? String == "AMAZON")
        #expect(!positional.stdout.contains(ec2.secretKey))
        var printed = ""
        func run(_ command: String, env: [String: String] = [:]) -> Harness.Result {
            let result = h.sh(command, env: env.merging(["FABRIC_DEBUG": "1"]) { $1 })
            printed += result.stdout + result.stderr
            return result
        }
        let registered = run("fabric --json provider register aws --from-env --provider_type AMAZON --default_image mysql-8.4-golden "
                             + "--default_flavor t3.micro", env: ec2.environment)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.records.first?["url"] as? String == ec2.url && registered.records.first?["tenant"] as? String == "us-east-1")
        #expect(run("fabric-find-image -p aws --all").status == 0)
        let requests = try ec2.requests()
        #expect(!requests.isEmpty && requests.allSatisfy { $0["session_token"] as? Bool == true })

        // A wrong token or secret is EC2's AuthFailure or SignatureDoesNotMatch, as a ProviderError.
        var wrongToken = ec2.environment
        wrongToken["AWS_SESSION_TOKEN"] = "not-the-token"
        #expect(run("fabric provider register stale --from-env --provider_type AMAZON", env: wrongToken).status == 0)
        let stale = run("fabric-find-image -p stale --all")
        #expect(stale.status == 2 && stale.stderr.contains("AuthFailure"), "\(stale.stderr)")
        var wrongSecret = ec2.environment
        wrongSecret["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        #expect(run("fabric provider register wrong --from-env --provider_type AMAZON", env: wrongSecret).status == 0)
        let wrong = run("fabric-find-flavor -p wrong --all -n")
        #expect(wrong.status == 2 && wrong.stderr.contains("SignatureDoesNotMatch")
                && wrong.stderr.contains("check the provider's access key id, secret access key and region"), "\(wrong.stderr)")
        #expect(printed.contains("fabric-debug: > POST"), "the trace ran")
        for secret in secrets + ["not-the-token", "not-the-secret"] {
            #expect(!printed.contains(secret), "a command printed a secret")
        }
    }
}
