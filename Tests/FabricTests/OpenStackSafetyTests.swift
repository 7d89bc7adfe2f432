import Foundation
import Testing

/// Issue 9, against the fake cloud made as slow as a real Nova where the defects needed it: a
/// signal while a create is in flight, ids that would reach other APIs, usage errors that must
/// cost no request, one line per failure, addresses of servers deleted behind fabric's back,
/// default networks, nic names, public nics, config drive, and an empty --number_machines.
@Suite struct OpenStackSafetyTests {
    let openStack = OpenStackTests()

    /// Starts the wrapper with SIGINT, SIGTERM and SIGHUP open (Foundation blocks them in children).
    func start(_ t: Harness, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let argv = (["fabric"] + arguments).map { "'\($0)'" }.joined(separator: ", ")
        process.arguments = ["python3", "-c", """
            import os, signal
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
            os.execvp("fabric", [\(argv)])
            """]
        process.environment = t.environment.merging(["TMPDIR": t.directory.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until the cloud has received a request matching method and path (a regex).
    func waitForRequest(_ cloud: FakeCloud, _ method: String, _ path: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try cloud.requests().contains(where: {
                $0["method"] as? String == method && ($0["path"] as? String)?.range(of: path, options: .regularExpression) != nil
            }) { return true }
            usleep(20_000)
        }
        return false
    }

    static let signals: [(name: String, number: Int32, status: Int32)] = [("TERM", SIGTERM, 143), ("INT", SIGINT, 130), ("HUP", SIGHUP, 129)]

    func leftoverTemporaryFiles(_ t: Harness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: t.directory.path)) ?? []).filter { $0.hasPrefix("tmp.") }
    }

    // MARK: 1. a signal while the create is in flight

    @Test(arguments: [0, 1, 2])
    func aSignalWhileServersAreBeingCreatedLeavesNothing(signalIndex: Int) throws {
        let (name, number, status) = Self.signals[signalIndex]
        let t = Harness(), cloud = try FakeCloud(buildSeconds: 60)
        // Nova commits the servers only as it answers the create, which it holds at a gate
        // until the signal has been sent: the signal comes while the POST is in flight, by
        // order, not by a sleep. A deleted server takes 2 s to go, so the clean-up lasts a while.
        try cloud.config(["delete_seconds": 2])
        try cloud.faults([["kind": "slow", "gate": "create", "seconds": 120, "method": "POST", "path": "/compute/v2.1/servers$"]])
        openStack.register(t, cloud)
        let process = try start(t, ["machine", "create", "os", "--number_machines", "2", "--wait_spawning"])
        #expect(try waitForRequest(cloud, "POST", "/compute/v2.1/servers$"))
        #expect(try cloud.leftovers().servers == 0, "the cloud has not committed them yet")
        kill(process.processIdentifier, number)
        try cloud.openGate("create")
        process.waitUntilExit()
        #expect(process.terminationStatus == status, "SIG\(name)")
        // The wrapper returns once its tools have finished cleaning up, not before. A request
        // that does not come can only be waited for: 3 s, which can miss a very late one but
        // never fails a fabric that is right.
        let seen = try cloud.requests().count
        sleep(3)
        #expect(try cloud.requests().count == seen, "a tool still spoke to the cloud after the wrapper returned")
        let deletes = try cloud.requests().filter {
            $0["method"] as? String == "DELETE" && ($0["path"] as? String)?.contains("/servers/") == true
        }
        #expect(deletes.count == 2, "the two servers committed as the POST answered were removed")
        try openStack.expectNothingLeft(t, cloud)
        #expect(leftoverTemporaryFiles(t).isEmpty)
    }

    @Test(arguments: [false, true])
    func aSignalWhileASnapshotIsBeingCreatedLeavesNoImage(wait: Bool) throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        let created = t.sh("fabric --json machine create os --wait_spawning")
        let uuid = try #require(created.records.first?["uuid"] as? String)
        // createImage held at a gate until the signal is sent, as the create above.
        try cloud.faults([["kind": "slow", "gate": "snapshot", "seconds": 120, "method": "POST", "path": "/servers/[^/]+/action$"]])
        try cloud.clearRequests()
        let process = try start(t, ["snapshot", "create", "os", uuid] + (wait ? ["--wait_spawning"] : []))
        #expect(try waitForRequest(cloud, "POST", "/servers/[^/]+/action$"))
        #expect(try cloud.leftovers().snapshots == 0, "the cloud has not made the image yet")
        kill(process.processIdentifier, SIGTERM)
        try cloud.openGate("snapshot")
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(try cloud.leftovers().snapshots == 0, "the image made as the createImage answered was removed")
        #expect(try cloud.requests().contains { $0["method"] as? String == "DELETE" && ($0["path"] as? String)?.contains("/v2/images/") == true })
        t.expectNothingListed("fabric-store list snapshots")
        #expect(leftoverTemporaryFiles(t).isEmpty)
        #expect(t.sh("fabric machine destroy os \(uuid)").status == 0)
        try openStack.expectNothingLeft(t, cloud)
    }

    // MARK: 2. an id never reaches another API: the provider contract's

    // MARK: 3. usage errors cost no request

    /// With OpenStack's network and port ids; the usage errors of every cloud are the provider contract's.
    @Test func usageErrorsPrintOneLineAndSendNothing() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        let net = OpenStackTests.privateNet
        let cases: [(String, String)] = [
            ("--number_machines 2 --private_nics net-id=\(net),v4-fixed-ip=10.0.0.5", "v4-fixed-ip"),
            ("--number_machines 2 --private_nics port-id=0b5f4a55-0000-4000-8000-0000000000ff", "port-id"),
            ("--private_network private --private_nics net-id=\(net)", "exclude each other"),
        ]
        for (options, message) in cases {
            try cloud.clearRequests()
            let result = t.expectFailure("fabric machine create os \(options)", 64, message)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(options): \(result.stderr)")
            #expect(try cloud.requests().isEmpty, "\(options) contacted the cloud")
        }
        try openStack.expectNothingLeft(t, cloud)
    }

    @Test func aPublicNetworkThatIsMissingOrNotExternalIsRefusedBeforeTheBoot() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        for (network, message) in [("private", "is not an external network"), ("nosuch", "no such network")] {
            try cloud.clearRequests()
            let result = t.expectFailure("fabric machine create os --public_network \(network)", 64, message)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            let changing = try cloud.requests().filter {
                let method = $0["method"] as? String ?? ""
                return method != "GET" && ($0["path"] as? String)?.contains("/tokens") != true
            }
            #expect(changing.isEmpty, "\(network): \(changing)")
        }
        try openStack.expectNothingLeft(t, cloud)
    }

    /// Nova's limits are the OpenStack provider's (BootLimits.nova): machine create checks them
    /// first (fabric-boot --check -p reads the provider's kind from the store), so a request too
    /// large costs no request at all; fabric-boot alone checks them before the boot is sent.
    @Test func novasLimitsAreCheckedBeforeTheBoot() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        let big = t.write("big-user-data", String(repeating: "#", count: 50_000))
        let small = t.write("motd", "welcome\n")
        let cases: [(String, String)] = [
            ("--userdata \(big)", "--userdata is 50000 bytes; Nova takes at most 49149"),
            ((1...6).map { "--files /etc/f\($0)=\(small)" }.joined(separator: " "), "--files given 6 times; Nova takes at most 5"),
            ("--files /\(String(repeating: "d", count: 255))=\(small)", "Nova takes destination paths of at most 255 bytes"),
            ("--files /etc/big=\(big)", "the file is 50000 bytes; Nova takes at most 10240"),
            ((1...129).map { "--meta k\($0)=v" }.joined(separator: " "), "--meta given 129 times; Nova takes at most 128"),
            ("--meta role=\(String(repeating: "v", count: 256))", "Nova takes keys of at most 255 bytes"),
        ]
        for (options, message) in cases {
            try cloud.clearRequests()
            let result = t.expectFailure("fabric machine create os \(options)", 64, message)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(try cloud.requests().isEmpty, "\(message): the cloud was asked")
        }
        // In a pipeline of the tools, once fabric-boot knows the provider: look-ups only.
        let image = t.sh("fabric-find-image -p os | fabric-find-flavor -p os --flavor name=m1.small > found.json")
        #expect(image.status == 0, "\(image.stderr)")
        try cloud.clearRequests()
        t.expectFailure("fabric-boot -p os --userdata \(big) < found.json", 64, "Nova takes at most 49149")
        let changing = try cloud.requests().filter {
            let method = $0["method"] as? String ?? ""
            return method != "GET" && ($0["path"] as? String)?.contains("/tokens") != true
        }
        #expect(changing.isEmpty, "fabric-boot sent \(changing)")
        try openStack.expectNothingLeft(t, cloud)
    }

    // MARK: 4. one failure, one line

    @Test func anUnknownProviderIsOneLine() throws {
        let t = Harness()
        t.registerNull()
        let result = t.expectFailure("fabric machine create nosuch", 2, "provider \"nosuch\" does not exist")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func aFailedRegisterPrintsNoTableAtATerminal() throws {
        let t = Harness()
        t.registerNull("dup")
        // script(1) gives the wrapper a terminal, where it would print a table.
        let result = t.sh("script -qec \"fabric provider register dup a b null:// t --provider_type null\" /dev/null")
        #expect(result.status == 2)
        let lines = result.stdout.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.count == 1 && lines[0].contains("already exists"), "\(result.stdout)")
        #expect(t.sh("fabric-table --columns a,b < /dev/null").stdout.isEmpty)
    }

    @Test func aFailedCreateSaysSoOnce() throws {
        let t = Harness(), cloud = try FakeCloud()
        try cloud.config(["quota_instances": 1])
        openStack.register(t, cloud)
        let result = t.expectFailure("fabric machine create os --number_machines 2", 1, "Quota exceeded")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        try openStack.expectNothingLeft(t, cloud)
    }

    // MARK: 5. addresses of a server deleted behind fabric's back

    @Test func destroyForceReleasesTheAddressOfAServerAlreadyGone() throws {
        let t = Harness(), cloud = try FakeCloud()
        try cloud.config(["delete_seconds": 0])
        openStack.register(t, cloud)
        let created = t.sh("fabric --json machine create os --public_network public")
        let uuid = try #require(created.records.first?["uuid"] as? String)
        #expect((created.records.first?["public_addresses"] as? [String])?.count == 1)
        try cloud.control("POST", "delete_server", ["id": uuid])
        #expect(try cloud.leftovers().floatingIPs == 1, "Neutron keeps the address of a deleted server")
        t.expectFailure("fabric machine destroy os \(uuid)", 1, "not found")
        #expect(t.sh("fabric machine destroy os \(uuid) --force").status == 0)
        try openStack.expectNothingLeft(t, cloud)
    }

    // MARK: 6, 7. default network, nic names

    func createBody(_ cloud: FakeCloud) throws -> [String: Any] {
        try #require(try openStack.bodies(cloud, "POST", "/servers$").last?["server"] as? [String: Any])
    }

    func networkUUIDs(_ server: [String: Any]) -> [String] {
        (server["networks"] as? [[String: Any]])?.compactMap { $0["uuid"] as? String } ?? []
    }

    @Test func withoutANetworkTheProjectsOnlyPrivateOneIsUsed() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud, extra: [])
        // Two private networks and an external one: fabric refuses before the boot, naming them.
        let refused = t.expectFailure("fabric machine create os", 64, "2 private networks (private, private2)")
        #expect(refused.stderr.contains("--extra network=NAME"))
        #expect(try openStack.bodies(cloud, "POST", "/servers$").isEmpty)
        try cloud.control("POST", "delete_network", ["name": "private2"])
        let created = t.sh("fabric --json machine create os --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(networkUUIDs(try createBody(cloud)) == [OpenStackTests.privateNet])
        #expect(t.sh("fabric machine destroy os \(created.records.first?["uuid"] as? String ?? "-")").status == 0)
        try openStack.expectNothingLeft(t, cloud)
    }

    @Test func aProviderCarriesADefaultNetwork() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud, extra: ["network=private2"])
        let created = t.sh("fabric --json machine create os --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(networkUUIDs(try createBody(cloud)) == ["9d2c6f4e-0000-4000-8000-000000000002"])
        #expect((created.records.first?["addresses"] as? [String])?.first?.hasPrefix("10.1.0.") == true)
        #expect(t.sh("fabric machine destroy os \(created.records.first?["uuid"] as? String ?? "-")").status == 0)
        try openStack.expectNothingLeft(t, cloud)
    }

    @Test func nicsTakeNetworkNamesAndPublicNicsGivePublicAddresses() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        let created = t.sh("fabric --json machine create os --private_nics net-id=private --public_nics net-id=public --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(networkUUIDs(try createBody(cloud)) == [OpenStackTests.privateNet, "9d2c6f4e-0000-4000-8000-000000000003"])
        let record = try #require(created.records.first)
        let publicAddresses = record["public_addresses"] as? [String] ?? []
        #expect(publicAddresses.count == 1 && publicAddresses[0].hasPrefix("172.24.4."), "\(record)")
        #expect(record["meta"] == nil, "fabric's own metadata stays out of the record")
        // The store and the provider's own list agree on it.
        let listed = t.sh("fabric --json machine list os --skip_store")
        #expect(listed.records.first?["public_addresses"] as? [String] == publicAddresses)
        #expect(t.sh("fabric machine destroy os \(record["uuid"] as? String ?? "-")").status == 0)
        try openStack.expectNothingLeft(t, cloud)
    }

    // MARK: 8. config drive only when asked

    @Test func userdataGoesWithoutAConfigDriveUnlessAsked() throws {
        let t = Harness(), cloud = try FakeCloud()
        openStack.register(t, cloud)
        let userdata = t.write("user-data", "#cloud-config\n")
        let dry = t.sh("fabric machine create os --userdata \(userdata) --dry_run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("\"user_data\"") && !dry.stdout.contains("config_drive"), "\(dry.stdout)")
        let asked = t.sh("fabric machine create os --userdata \(userdata) --config_drive --dry_run")
        #expect(asked.stdout.contains("\"config_drive\":true"), "\(asked.stdout)")
        openStack.register(t, cloud, id: "nometadata", extra: ["network=private", "config_drive=true"])
        let byProvider = t.sh("fabric machine create nometadata --userdata \(userdata) --dry_run")
        #expect(byProvider.stdout.contains("\"config_drive\":true"), "\(byProvider.stdout)")
        #expect(try openStack.bodies(cloud, "POST", "/servers$").isEmpty, "a dry run creates nothing")
    }
}

/// A JSON string literal for a test value.
func jsonString(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
}
