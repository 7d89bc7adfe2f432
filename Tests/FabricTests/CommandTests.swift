import Foundation
import Testing

extension Harness {
    /// What the emulated cloud was asked for each machine (null_servers.request), as JSON.
    func requests() -> [[String: Any]] {
        sql("SELECT request FROM null_servers ORDER BY created, rowid").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Runs a command (bash -c) that must fail with `status` and say `message` on standard
    /// error; returns its result for further checks.
    @discardableResult
    func expectFailure(_ command: String, _ status: Int32, _ message: String, stdin: String? = nil,
                       env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        let result = sh(command, stdin: stdin, env: env)
        #expect(result.status == status, "\(command): \(result.status) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(command): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func write(_ name: String, _ text: String) -> String {
        let path = directory.appendingPathComponent(name).path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Every `fabric` command and option, as a user types it (the spec's spellings and dashed
/// ones), through real pipes and jq, checked in what the null provider received and what the
/// store holds.
@Suite struct CommandTests {
    // MARK: provider register / unregister / list

    @Test func registerTakesEveryOptionInBothSpellings() {
        let h = Harness()
        let spec = h.sh("fabric --json provider register p1 alice pw1 null:// t1 --provider_type null --default_image cirros-0.6.2 --default_flavor m1.tiny --extra build_seconds=0.1 --extra quota=5 --synchronous")
        #expect(spec.status == 0, "\(spec.stderr)")
        let dashed = h.sh("fabric --json provider register p2 bob pw2 null://two t2 --provider-type=nullprovider --default-image=img --default-flavor=flv --extra=latency_ms=0")
        #expect(dashed.status == 0, "\(dashed.stderr)")
        let list = h.sh("fabric --json provider list | jq -c '[.provider_id, .type, .username, .url, .tenant, .default_image, .default_flavor, .extra]'")
        #expect(list.lines == [
            #"["p1","NULLPROVIDER","alice","null://","t1","cirros-0.6.2","m1.tiny",{"build_seconds":"0.1","quota":"5"}]"#,
            #"["p2","NULLPROVIDER","bob","null://two","t2","img","flv",{"latency_ms":"0"}]"#,
        ], "\(list.stdout) \(list.stderr)")
        #expect(h.sql("SELECT provider_id, password FROM providers ORDER BY 1") == ["p1|pw1", "p2|pw2"])
        for output in [spec.stdout, dashed.stdout, list.stdout] { #expect(!output.contains("pw1") && !output.contains("pw2")) }
        let defaultType = h.sh("fabric --json provider register p3 u pw http://x/v3 t | jq -r .type")
        #expect(defaultType.stdout == "OPENSTACK\n", "OPENSTACK is the default type")
    }

    @Test func registerTakesThePasswordFromEverySource() {
        let h = Harness()
        let file = h.write("password.txt", "from-file\nsecond line\n")
        let cases: [(String, String, [String: String], String)] = [
            ("argv", "fabric provider register argv u from-argv null:// t --provider_type null", [:], "from-argv"),
            ("file", "fabric provider register file u null:// t --provider_type null --password-file \(file)", [:], "from-file"),
            ("file_", "fabric provider register file_ u null:// t --provider_type null --password_file=\(file)", [:], "from-file"),
            ("stdin", "printf 'from-stdin\\n' | fabric provider register stdin u null:// t --provider_type null --password-stdin", [:], "from-stdin"),
            ("env", "fabric provider register env u null:// t --provider_type null --password-env MY_SECRET", ["MY_SECRET": "from-env"], "from-env"),
            ("fabric", "fabric provider register fabric u null:// t --provider_type null", ["FABRIC_PASSWORD": "from-fabric-password"], "from-fabric-password"),
        ]
        for (id, command, env, password) in cases {
            let result = h.sh(command + " --json", env: env)
            #expect(result.status == 0, "\(id): \(result.stderr)")
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password), "\(id): the password was printed")
            #expect(h.sql("SELECT password FROM providers WHERE provider_id = '\(id)'") == [password], "\(id)")
        }
        h.expectFailure("fabric provider register none u null:// t --provider_type null", 64,
                        "no password: give it as the third argument, or --password-file")
        h.expectFailure("fabric provider register unset u null:// t --provider_type null --password-env NOT_SET_ANYWHERE", 64,
                        "NOT_SET_ANYWHERE is empty or unset")
        #expect(h.sql("SELECT count(*) FROM providers WHERE provider_id IN ('none', 'unset')") == ["0"])
    }

    /// The wrapper hands the password to fabric-store through a pipe: a fabric-store that logs
    /// its arguments never sees it, whichever way the user gave it.
    @Test func passwordNeverReachesAChildsArgv() throws {
        let h = Harness()
        let tools = h.directory.appendingPathComponent("tools")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Harness.binDirectory.path)
            where name.hasPrefix("fabric-") && !name.contains(".") && name != "fabric-store" {
            try FileManager.default.createSymbolicLink(atPath: tools.appendingPathComponent(name).path,
                                                       withDestinationPath: Harness.binDirectory.appendingPathComponent(name).path)
        }
        let log = h.directory.appendingPathComponent("argv.log").path
        let logger = h.write("tools/fabric-store", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '\(log)'\nexec '\(Harness.binDirectory.path)/fabric-store' \"$@\"\n")
        chmod(logger, 0o755)
        let file = h.write("pw.txt", "s3cret-file\n")
        let env = ["FABRIC_TOOLS": tools.path, "PW": "s3cret-env"]
        #expect(h.sh("fabric provider register a u null:// t --provider_type null --password-file \(file)", env: env).status == 0)
        #expect(h.sh("echo s3cret-stdin | fabric provider register b u null:// t --provider_type null --password-stdin", env: env).status == 0)
        #expect(h.sh("fabric provider register c u null:// t --provider_type null --password-env PW", env: env).status == 0)
        #expect(h.sh("fabric provider register d u s3cret-argv null:// t --provider_type null", env: env).status == 0)
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logged.components(separatedBy: "register").count == 5, "the logging fabric-store ran: \(logged)")
        #expect(!logged.contains("s3cret"), "a password reached argv: \(logged)")
        #expect(h.sql("SELECT password FROM providers ORDER BY provider_id") == ["s3cret-file", "s3cret-stdin", "s3cret-env", "s3cret-argv"])
    }

    @Test func registerErrorsChangeNothing() {
        let h = Harness()
        h.registerNull()
        let cases: [(String, Int32, String)] = [
            ("fabric provider register demo a b null:// t --provider_type null", 2, "ProviderError: provider \"demo\" already exists"),
            ("fabric provider register x a b null:// t --provider_type vmware", 2, "unknown provider type \"vmware\""),
            ("fabric provider register x a b null:// t --provider_type null --extra fail_nothing=1", 64, "unknown --extra key \"fail_nothing\""),
            ("fabric provider register x a b null:// t --provider_type null --extra quota=many", 64, "--extra quota"),
            ("fabric provider register x a b", 64, "provider register takes: provider_id username password url tenant"),
            ("fabric provider register x a b null://", 64, "no password: give it as the third argument"),
            ("fabric provider register x a b null:// t --bogus", 64, "Unknown option '--bogus'"),
            ("fabric provider register x a b null:// t --default_image", 64, "Missing value for '--default_image <name>'"),
        ]
        for (command, status, message) in cases { h.expectFailure(command, status, message) }
        #expect(h.sql("SELECT provider_id, username FROM providers") == ["demo|admin"], "nothing changed")
    }

    @Test func unregisterAndList() {
        let h = Harness()
        h.registerNull()
        h.registerNull("other")
        let unknown = h.sh("fabric provider unregister nope")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("ProviderError: provider \"nope\" does not exist"))
        #expect(h.sh("fabric --json machine create demo").status == 0)
        let busy = h.sh("fabric provider unregister demo")
        #expect(busy.status == 2)
        #expect(busy.stderr.contains("still has 1 machine"), "\(busy.stderr)")
        for spelling in ["--provider_id other", "--provider-id other", "--provider_id=other", "--provider-id=other"] {
            let one = h.sh("fabric --json provider list \(spelling) | jq -r .provider_id")
            #expect(one.stdout == "other\n", "\(spelling): \(one.stdout)\(one.stderr)")
        }
        #expect(h.sh("fabric --json provider list | jq -r .provider_id").lines == ["demo", "other"])
        let gone = h.sh("fabric --json provider unregister other | jq -r .provider_id")
        #expect(gone.status == 0)
        #expect(gone.stdout == "other\n")
        #expect(h.sql("SELECT provider_id FROM providers") == ["demo"])
        #expect(h.sh("fabric provider unregister").status == 64)
    }

    // MARK: machine create: what the cloud received

    @Test func createSendsEveryOptionToTheCloud() {
        let h = Harness()
        h.registerNull()
        let userdata = h.write("init.yaml", "#cloud-config\npackages: [mysql-server]\n")
        let config = h.write("my.cnf", "[mysqld]\nserver-id=1\n")
        let create = h.sh("""
            fabric --json machine create demo --image name=debian-12-cloudinit --flavor vcpus=2 --flavor ram=4096 \
              --flavor swap=1024 --number_machines 2 --availability_zone az2 --key_name ops \
              --security_groups 'default, mysql' --security_groups ssh --private_network private2 \
              --userdata \(userdata) --swap 512 --block_device vdb=5a7c2e9d-0f1b-4c3a-9e8d-7b6a5f4e3d21:volume:10:true \
              --scheduler_hints group=mysql-ha --scheduler_hints rack=r2 --meta role=replica --meta team=db \
              --files /etc/mysql/conf.d/fabric.cnf=\(config) --config_drive
            """)
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.records.count == 2)
        let requests = h.requests()
        #expect(requests.count == 2)
        let request = requests.first ?? [:]
        #expect(request["image"] as? String == "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a03", "debian-12-cloudinit")
        #expect(request["flavor"] as? String == "6", "db.mysql.medium: vcpus=2, ram=4096, swap=1024")
        #expect(request["availability_zone"] as? String == "az2")
        #expect(request["key_name"] as? String == "ops")
        #expect(request["security_groups"] as? [String] == ["default", "mysql", "ssh"])
        #expect(request["private_network"] as? String == "private2")
        #expect(request["userdata_bytes"] as? Int == 39)
        #expect(request["swap"] as? Int == 512)
        #expect((request["block_devices"] as? [[String: Any]])?.count == 1)
        #expect(request["scheduler_hints"] as? [String: String] == ["group": "mysql-ha", "rack": "r2"])
        #expect((request["meta"] as? [String: String])?["role"] == "replica")
        #expect((request["meta"] as? [String: String])?["team"] == "db")
        #expect(request["files"] as? [String: Int] == ["/etc/mysql/conf.d/fabric.cnf": 21])
        #expect(request["config_drive"] as? Bool == true)
        for machine in create.records {
            #expect(machine["av_zone"] as? String == "az2")
            #expect((machine["addresses"] as? [String])?.first?.hasPrefix("192.0.2.") == true, "private2's range")
            #expect(machine["status"] as? String == "BUILD", "without --wait_spawning the machines are not waited for")
        }
        #expect(h.sql("SELECT count(DISTINCT group_id) FROM null_servers") == ["1"])
        #expect(h.count("machines") == 2)
    }

    @Test func createTakesDashedSpellingsAndEqualsSigns() {
        let h = Harness()
        h.registerNull()
        let create = h.sh("""
            fabric --json machine create demo --image=min_disk=4 --flavor=name=m1.small --number-machines=1 \
              --availability-zone=nova --key-name=k --security-groups=default --private-nics=net-id=private,v4-fixed-ip=198.51.100.77 \
              --public-nics=net-id=public --scheduler-hints=a=b --block-device=vdc=5a7c2e9d-0f1b-4c3a-9e8d-7b6a5f4e3d21:volume:1:false \
              --meta=k=v --wait-spawning --skip-store
            """)
        #expect(create.status == 0, "\(create.stderr)")
        let request = h.requests().first ?? [:]
        #expect(request["image"] as? String == "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a03", "the image with min_disk 4")
        #expect(request["flavor"] as? String == "2")
        #expect(request["key_name"] as? String == "k")
        #expect((request["private_nics"] as? [[String: String]])?.first?["v4-fixed-ip"] == "198.51.100.77"
                || (request["private_nics"] as? [[String: String]])?.first?["v4_fixed_ip"] == "198.51.100.77", "\(request)")
        #expect((request["public_nics"] as? [[String: String]])?.count == 1)
        #expect(request["scheduler_hints"] as? [String: String] == ["a": "b"])
        #expect(create.records.first?["addresses"] as? [String] == ["198.51.100.77"])
        #expect(create.records.first?["status"] as? String == "ACTIVE")
        #expect(h.count("machines") == 0, "--skip-store records nothing")
        #expect(h.cloudMachines() == 1)
    }

    @Test func createFallsBackToTheProvidersDefaults() {
        let h = Harness()
        h.registerNull()
        let create = h.sh("fabric --json machine create demo --wait_spawning | jq -r '[.status, .av_zone] | join(\" \")'")
        #expect(create.stdout == "ACTIVE nova\n", "\(create.stderr)")
        let request = h.requests().first ?? [:]
        #expect(request["image"] as? String == "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a01", "ubuntu-24.04-mysql-8.4, the default image")
        #expect(request["flavor"] as? String == "3", "m1.medium, the default flavor")
        let noDefault = Harness()
        _ = noDefault.sh("fabric provider register bare a b null:// t --provider_type null")
        let refused = noDefault.sh("fabric machine create bare")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("has no default image"), "\(refused.stderr)")
    }

    @Test func createWithAPublicNetworkWaitsAndAddsAnAddress() {
        let h = Harness()
        h.registerNull()
        let create = h.sh("fabric --json machine create demo --number_machines 2 --public_network public")
        #expect(create.status == 0, "\(create.stderr)")
        for machine in create.records {
            #expect(machine["status"] as? String == "ACTIVE")
            let addresses = machine["addresses"] as? [String] ?? []
            #expect(addresses.count == 2 && addresses[1].hasPrefix("203.0.113."), "\(addresses)")
            #expect((machine["public_addresses"] as? [String])?.count == 1)
        }
        #expect(h.sql("SELECT count(*) FROM null_addresses") == ["2"])
        let stored = h.sh("fabric --json machine list demo | jq -r '.public_addresses[0]'")
        #expect(stored.lines.allSatisfy { $0.hasPrefix("203.0.113.") } && stored.lines.count == 2)
    }

    @Test func createValidationErrorsChangeNothing() {
        let h = Harness()
        h.registerNull()
        let before = h.sql("SELECT count(*) FROM null_servers") + h.sql("SELECT count(*) FROM machines")
        let cases: [(String, Int32, String)] = [
            ("--image mindisk=abc", 64, "min_disk must be a non-negative number"),
            ("--flavor ram=-1", 64, "ram must be a non-negative number"),
            ("--image novalue", 64, "--image"),
            ("--number_machines 0", 64, "--number_machines must be from 1 to 1000, not 0"),
            ("--number-machines=-3", 64, "--number_machines must be from 1 to 1000, not -3"),
            ("--number_machines two", 64, "The value 'two' is invalid for '--number_machines <n>'"),
            ("--private_network private --private_nics net-id=x", 64, "--private_network and --private_nics exclude each other"),
            ("--public-network public --public-nics net-id=x", 64, "--public_network and --public_nics exclude each other"),
            ("--userdata /nonexistent/init.yaml", 64, "cannot read \"/nonexistent/init.yaml\""),
            ("--files /etc/x=/nonexistent/file", 64, "cannot read \"/nonexistent/file\""),
            ("--files relative=/etc/hostname", 64, "the destination must be an absolute path"),
            ("--meta fabric_group=x", 64, "reserved"),
            ("--meta fabric_provider=x", 64, "reserved"),
            ("--swap 0", 64, "--swap"),
            ("--image name=no-such-image", 1, "no image on provider \"demo\" matches name=no-such-image"),
            ("--flavor vcpus=64", 1, "no flavor on provider \"demo\" matches vcpus=64"),
            ("--availability_zone mars", 64, "availability zone \"mars\" does not exist"),
            ("--security_groups nope", 64, "security group \"nope\" not found"),
            ("--private_network nowhere", 64, "private network \"nowhere\" not found"),
            ("--frobnicate", 64, "Unknown option '--frobnicate'"),
        ]
        for (options, status, message) in cases {
            #expect(h.expectFailure("fabric machine create demo \(options)", status, message).stdout.isEmpty, "\(options)")
        }
        #expect(h.sql("SELECT count(*) FROM null_servers") + h.sql("SELECT count(*) FROM machines") == before)
        #expect(before == ["0", "0"])
        // A value that starts with - is passed on as a value, not read as an option.
        let dash = h.sh("fabric machine create demo --key_name -k --dry_run | jq -r .request.key_name")
        #expect(dash.stdout == "-k\n", "\(dash.stderr)")
        let unknown = h.sh("fabric machine create nope --number_machines 2")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("ProviderError: provider \"nope\" does not exist"))
    }

    // MARK: machine list

    @Test func machineListFromTheStoreAndTheProvider() {
        let h = Harness()
        h.registerNull()
        #expect(h.sh("fabric --json machine create demo --number_machines 2 --meta role=primary --wait_spawning").status == 0)
        #expect(h.sh("fabric --json machine create demo --meta role=replica --skip_store --wait_spawning").status == 0)
        #expect(h.sh("fabric --json machine list demo").records.count == 2, "the store knows two")
        #expect(h.sh("fabric --json machine list demo --skip_store").records.count == 3, "the provider has three")
        #expect(h.sh("fabric --json machine list demo --skip-store").records.count == 3)
        let byMeta = h.sh("fabric list-machines -p demo --meta role=replica | jq -r .meta.role")
        #expect(byMeta.stdout == "replica\n", "\(byMeta.stderr)")
        let byField = h.sh("fabric list-machines -p demo --where status=ACTIVE --meta role=primary | wc -l")
        #expect(byField.stdout.trimmingCharacters(in: .whitespaces) == "2\n")
        h.expectNothingListed("fabric list-machines -p demo --where status=BUILD")
        let unknown = h.sh("fabric machine list nope")
        #expect(unknown.status == 2)
        #expect(h.sh("fabric machine list nope --skip_store").status == 2)
        #expect(h.sh("fabric machine list").status == 64)
    }

    // MARK: machine destroy

    @Test func destroyReleasesAddressesAndDestroysSnapshots() {
        let h = Harness()
        h.registerNull()
        let create = h.sh("fabric --json machine create demo --number_machines 2 --public_network public")
        let uuids = create.records.compactMap { $0["uuid"] as? String }
        #expect(uuids.count == 2, "\(create.stderr)")
        #expect(h.sh("fabric --json snapshot create demo \(uuids[0]) --wait_spawning").status == 0)
        #expect(h.sh("fabric --json snapshot create demo \(uuids[0])").status == 0)
        #expect(h.sql("SELECT count(*) FROM null_images") == ["2"])
        #expect(h.sql("SELECT count(*) FROM null_addresses") == ["2"])
        let destroy = h.sh("fabric --json machine destroy demo \(uuids[0]) --synchronous | jq -r .status")
        #expect(destroy.stdout == "DELETED\n", "\(destroy.stderr)")
        #expect(h.sql("SELECT count(*) FROM null_images") == ["0"], "its snapshots are destroyed")
        #expect(h.sql("SELECT count(*) FROM snapshots") == ["0"])
        #expect(h.sql("SELECT server_id FROM null_addresses") == [uuids[1]], "its public address is released")
        #expect(h.sql("SELECT machine_uuid FROM machines") == [uuids[1]])
        #expect(h.sql("SELECT id FROM null_servers") == [uuids[1]])
    }

    @Test func destroySkipStoreAndForce() {
        let h = Harness()
        h.registerNull()
        let unstored = h.sh("fabric --json machine create demo --skip_store | jq -r .uuid").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let refused = h.sh("fabric machine destroy demo \(unstored)")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not in the store"), "\(refused.stderr)")
        #expect(h.cloudMachines() == 1, "without --skip_store nothing is destroyed")
        let skipped = h.sh("fabric --json machine destroy demo \(unstored) --skip-store")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(h.cloudMachines() == 0)

        let stored = h.sh("fabric --json machine create demo | jq -r .uuid").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(h.sh("fabric-destroy -p demo \(stored)").status == 0, "the cloud loses the machine behind fabric's back")
        let missing = h.sh("fabric machine destroy demo \(stored)")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found on provider"), "\(missing.stderr)")
        #expect(h.count("machines") == 1, "without --force the record stays")
        let forced = h.sh("fabric --json machine destroy demo \(stored) --force")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("--force: forgetting machine \(stored)"))
        #expect(h.count("machines") == 0)
    }

    // MARK: snapshot create / destroy

    @Test func snapshotCreateAndDestroy() {
        let h = Harness()
        h.registerNull(extra: ["snapshot_seconds=0.5"])
        let uuid = h.sh("fabric --json machine create demo --wait_spawning | jq -r .uuid").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let quick = h.sh("fabric --json snapshot create demo \(uuid) --name golden")
        #expect(quick.records.first?["status"] as? String == "saving", "\(quick.stderr)")
        #expect(quick.records.first?["name"] as? String == "golden")
        let waited = h.sh("fabric --json snapshot create demo \(uuid) --wait-spawning --timeout 30")
        #expect(waited.records.first?["status"] as? String == "active", "\(waited.stderr)")
        #expect(h.sql("SELECT count(*) FROM snapshots") == ["2"])
        // A snapshot boots new machines.
        let clone = h.sh("sleep 0.5; fabric --json machine create demo --image name=golden --skip_store | jq -r .uuid")
        #expect(clone.status == 0, "\(clone.stderr)")
        let destroy = h.sh("fabric --json snapshot destroy demo \(uuid) | jq -r .status")
        #expect(destroy.lines == ["deleted", "deleted"], "\(destroy.stderr)")
        #expect(h.sql("SELECT count(*) FROM snapshots") + h.sql("SELECT count(*) FROM null_images") == ["0", "0"])
        let notStored = h.sh("fabric snapshot create demo 00000000-0000-0000-0000-000000000000")
        #expect(notStored.status == 1)
        let notInCloud = h.sh("fabric snapshot create demo 00000000-0000-0000-0000-000000000000 --skip_store")
        #expect(notInCloud.status == 1)
        #expect(notInCloud.stderr.contains("not found on provider"))
        #expect(h.sh("fabric snapshot destroy demo 00000000-0000-0000-0000-000000000000 --skip_store").status == 0)
    }

    // MARK: output formats, fabric NAME

    @Test func jsonAndTableOutput() {
        let h = Harness()
        h.registerNull()
        #expect(h.sh("fabric --json machine create demo --wait_spawning").status == 0)
        for command in ["fabric --table machine list demo", "fabric machine list demo --table", "fabric --json machine list demo --table"] {
            let table = h.sh(command)
            #expect(table.status == 0)
            #expect(table.lines.first?.hasPrefix("UUID") == true && table.lines.first?.contains("AV_ZONE") == true, "\(command): \(table.stdout)")
            #expect(table.lines.count == 2)
        }
        let json = h.sh("fabric machine list demo --json | jq -r .status")
        #expect(json.stdout == "ACTIVE\n", "a pipe gets JSON lines")
        let plain = h.sh("fabric machine list demo")
        #expect(plain.records.count == 1, "JSON lines when stdout is not a terminal")
        let providers = h.sh("fabric --table provider list")
        #expect(providers.lines.first?.hasPrefix("PROVIDER_ID") == true)
    }

    @Test func fabricNameRunsFabricDashName() {
        let h = Harness()
        let tool = h.directory.appendingPathComponent("bin")
        try! FileManager.default.createDirectory(at: tool, withIntermediateDirectories: true)
        let script = h.write("bin/fabric-hello", "#!/bin/sh\nprintf 'hello %s\\n' \"$@\"\nexit 7\n")
        chmod(script, 0o755)
        let hello = h.sh("PATH=\(tool.path):$PATH fabric hello world 'two words'")
        #expect(hello.status == 7)
        #expect(hello.stdout == "hello world\nhello two words\n")
        #expect(h.sh("fabric store path").stdout == h.store + "\n")
        let missing = h.sh("fabric nosuchtool")
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no fabric-nosuchtool on PATH"))
    }

    // MARK: where the store is

    @Test func storePathResolutionAndModes() {
        let h = Harness()
        let home = h.directory.path
        func path(_ prefix: String, _ arguments: String = "") -> String {
            h.sh("\(prefix) fabric-store path \(arguments)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(path("", "--store /tmp/elsewhere.db") == "/tmp/elsewhere.db")
        #expect(path("FABRIC_STORE=/tmp/env.db") == "/tmp/env.db")
        #expect(path("unset FABRIC_STORE; XDG_STATE_HOME=\(home)/xdg") == "\(home)/xdg/fabric/fabric.db")
        #expect(path("unset FABRIC_STORE XDG_STATE_HOME;") == "\(home)/.local/state/fabric/fabric.db")
        #expect(path("unset FABRIC_STORE; XDG_STATE_HOME=relative") == "\(home)/.local/state/fabric/fabric.db",
                "a relative XDG_STATE_HOME is ignored, as the XDG spec says")
        // Each place really holds the store the commands use, created 0600 in a 0700 directory.
        let register = "fabric provider register demo a b null:// t --provider_type null"
        #expect(h.sh("unset FABRIC_STORE XDG_STATE_HOME; \(register)").status == 0)
        #expect(h.sh("unset FABRIC_STORE; XDG_STATE_HOME=\(home)/xdg \(register)").status == 0)
        #expect(h.sh("\(register) --store \(home)/flag/dir/f.db").status == 0)
        for file in ["\(home)/.local/state/fabric/fabric.db", "\(home)/xdg/fabric/fabric.db", "\(home)/flag/dir/f.db"] {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes?[.posixPermissions] as? Int) == 0o600, "\(file)")
            let directory = (file as NSString).deletingLastPathComponent
            let directoryAttributes = try? FileManager.default.attributesOfItem(atPath: directory)
            #expect((directoryAttributes?[.posixPermissions] as? Int) == 0o700, "\(directory)")
            #expect(h.run("/usr/bin/sqlite3", [file, "SELECT provider_id FROM providers"]).stdout == "demo\n")
        }
        #expect(!FileManager.default.fileExists(atPath: h.store), "FABRIC_STORE was unset or overridden each time")
    }

    // MARK: failure knobs leave nothing behind

    static let knobs: [(extra: String, command: String, status: Int32, message: String)] = [
        ("fail_create=true", "fabric machine create demo --number_machines 2", 1, "injected failure (fail_create)"),
        ("fail_machine=2", "fabric machine create demo --number_machines 3 --wait_spawning", 1, "injected failure (fail_machine=2)"),
        ("fail_machine=1", "fabric machine create demo --public_network public", 1, "injected failure (fail_machine=1)"),
        ("fail_public_address=true", "fabric machine create demo --number_machines 2 --public_network public", 1, "injected failure (fail_public_address)"),
        ("quota=2", "fabric machine create demo --number_machines 3", 1, "quota exceeded"),
    ]

    @Test(arguments: 0..<knobs.count)
    func failureKnobLeavesNothing(index: Int) {
        let knob = Self.knobs[index]
        let h = Harness()
        h.registerNull(extra: [knob.extra])
        let result = h.sh(knob.command)
        #expect(result.status == knob.status, "\(knob.extra): \(result.stderr)")
        #expect(result.stderr.contains("MachineError"))
        #expect(result.stderr.contains(knob.message), "\(knob.extra): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        for table in ["null_servers", "null_addresses", "null_images", "machines", "snapshots"] {
            #expect(h.sql("SELECT count(*) FROM \(table)") == ["0"], "\(knob.extra): \(table) is not empty")
        }
    }

    @Test func failSnapshotLeavesNothing() {
        let h = Harness()
        h.registerNull(extra: ["fail_snapshot=true"])
        let uuid = h.sh("fabric --json machine create demo --wait_spawning | jq -r .uuid").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let snapshot = h.sh("fabric snapshot create demo \(uuid) --wait_spawning")
        #expect(snapshot.status == 3, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("injected failure (fail_snapshot)"))
        #expect(h.sql("SELECT count(*) FROM null_images") + h.sql("SELECT count(*) FROM snapshots") == ["0", "0"])
    }

    @Test func failDestroyKeepsStoreAndCloudInStep() {
        let h = Harness()
        h.registerNull(extra: ["fail_destroy=true"])
        let uuid = h.sh("fabric --json machine create demo --public_network public | jq -r .uuid").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let destroy = h.sh("fabric machine destroy demo \(uuid)")
        #expect(destroy.status == 1)
        #expect(destroy.stderr.contains("injected failure (fail_destroy)"), "\(destroy.stderr)")
        #expect(h.sql("SELECT count(*) FROM null_servers") == ["1"], "the cloud kept it")
        #expect(h.sql("SELECT count(*) FROM machines") == ["1"], "so the store keeps it")
        #expect(h.sql("SELECT count(*) FROM null_addresses") == ["1"], "and its address")
        let forced = h.sh("fabric machine destroy demo \(uuid) --force")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(h.sql("SELECT count(*) FROM machines") == ["0"], "--force forgets it")
    }
}
