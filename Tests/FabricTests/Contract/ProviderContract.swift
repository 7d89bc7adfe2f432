import Foundation
import Testing

/// What every provider does, written once and run against every cloud of `CloudKind.all` (the
/// null provider, the fake OpenStack cloud, moto's EC2): the whole workflow, all or nothing at
/// a quota, an interrupted create and snapshot, an address the cloud fails to release, ids and
/// usage errors that send nothing, and secrets that never show. What only one cloud has stays
/// in that cloud's own file.
@Suite struct ProviderContract {
    // MARK: the whole workflow

    /// register, find an image and a flavor, create three with public addresses, list them
    /// from the store and from the cloud, snapshot one and find the snapshot, destroy the
    /// snapshot, destroy that machine with its snapshot, then the other two in one destroy,
    /// unregister: each step as the cloud says, and nothing left.
    @Test(arguments: CloudKind.runs)
    func theWholeWorkflowLeavesNothing(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        let registered = cloud.register()
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.records.first?["provider_id"] as? String == p)
        let listedProviders = h.sh("fabric --json provider list")
        #expect(listedProviders.records.count == 1 && listedProviders.records.first?["provider_id"] as? String == p)
        let found = h.sh("fabric-find-image -p \(p) | fabric-find-flavor")
        #expect(found.status == 0, "\(found.stderr)")
        #expect((found.records.first?["image"] as? [String: Any])?["id"] as? String != nil, "\(found.stdout)")
        #expect((found.records.first?["flavor"] as? [String: Any])?["id"] as? String != nil, "\(found.stdout)")

        try cloud.clearRequests()
        let created = h.sh("fabric --json machine create \(p) --number_machines 3 --public_network \(cloud.publicNetwork) "
                           + "--wait_spawning --meta role=replica")
        #expect(created.status == 0, "\(created.stderr)")
        let machines = created.records
        #expect(machines.count == 3)
        for machine in machines {
            #expect(machine["status"] as? String == "ACTIVE")
            #expect((machine["public_addresses"] as? [String])?.count == 1, "\(machine)")
            #expect((machine["meta"] as? [String: String])?["role"] == "replica")
        }
        #expect(Set(machines.compactMap { $0["group"] as? String }).count == 1, "one group id per call")
        #expect(Set(machines.compactMap { $0["name"] as? String }).count == 3, "each machine has a name of its own")
        try cloud.checkCreated(machines, count: 3, sourceLocation: #_sourceLocation)
        let uuids = machines.compactMap { $0["uuid"] as? String }
        #expect(Set(try cloud.liveMachines()) == Set(uuids))

        let listed = h.sh("fabric --json machine list \(p)")
        #expect(Set(listed.records.compactMap { $0["uuid"] as? String }) == Set(uuids))
        let fromCloud = h.sh("fabric --json machine list \(p) --skip_store")
        #expect(Set(fromCloud.records.compactMap { $0["uuid"] as? String }) == Set(uuids))

        let uuid = try #require(uuids.first)
        let snapshot = h.sh("fabric --json snapshot create \(p) \(uuid) --wait_spawning --name mysql-8.4-configured")
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        let made = try #require(snapshot.records.first)
        #expect(made["status"] as? String == "active")
        #expect(made["machine_uuid"] as? String == uuid)
        #expect(try cloud.snapshots() > 0)
        try cloud.checkSnapshot(made, of: uuid, sourceLocation: #_sourceLocation)
        // A snapshot boots machines like any image: found by name.
        let image = h.sh("fabric-find-image -p \(p) --image name=mysql-8.4-configured")
        #expect((image.records.first?["image"] as? [String: Any])?["id"] as? String == made["id"] as? String, "\(image.stderr)")
        #expect((image.records.first?["image"] as? [String: Any])?["image_type"] as? String == "snapshot")
        let destroyedSnapshot = h.sh("fabric --json snapshot destroy \(p) \(uuid)")
        #expect(destroyedSnapshot.status == 0, "\(destroyedSnapshot.stderr)")
        #expect(try cloud.snapshots() == 0, "the snapshot is gone from the cloud")
        #expect(h.count("snapshots") == 0)

        // A machine destroy destroys its snapshots; a provider with machines stays registered.
        let again = h.sh("fabric --json snapshot create \(p) \(uuid) --wait_spawning")
        #expect(again.status == 0, "\(again.stderr)")
        let unregister = h.sh("fabric provider unregister \(p)")
        #expect(unregister.status == 2, "a provider with machines cannot be unregistered")
        #expect(unregister.stderr.contains("still has 3 machines"), "\(unregister.stderr)")
        let destroyed = h.sh("fabric --json machine destroy \(p) \(uuid)")
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(h.count("machines") == 2)
        #expect(h.count("snapshots") == 0, "machine destroy destroys its snapshots")
        #expect(try cloud.snapshots() == 0)
        #expect(Set(try cloud.liveMachines()) == Set(uuids.dropFirst()))

        // Destroy of many: the other two in one command.
        let rest = h.sh("fabric machine destroy \(p) \(uuids.dropFirst().joined(separator: " "))")
        #expect(rest.status == 0, "\(rest.stderr)")
        try cloud.expectNothingLeft()
        try cloud.checkDestroyed(count: 3, sourceLocation: #_sourceLocation)
        #expect(h.sh("fabric provider unregister \(p)").status == 0)
        h.expectNothingListed("fabric-store list providers")
    }

    // MARK: all or nothing

    /// A create of more machines than the quota leaves fails as a MachineError and makes none.
    @Test(arguments: CloudKind.runs.filter { $0.kind.can.contains(.limitMachines) })
    func aCreatePastTheQuotaMakesNothing(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness
        let refusal = try #require(try cloud.limitMachines(to: 2))
        #expect(cloud.register().status == 0)
        let failed = h.expectFailure("fabric machine create \(cloud.provider) --number_machines 3 --wait_spawning", 1, refusal)
        #expect(failed.stderr.contains("MachineError"), "\(failed.stderr)")
        #expect(failed.stdout.isEmpty)
        try cloud.expectNothingLeft()
    }

    // MARK: interruption

    /// SIGTERM or SIGINT while the machines build: the status of the signal, nothing left in
    /// the cloud or the store.
    @Test(arguments: CloudKind.onSQLite, [("TERM", SIGTERM, 143), ("INT", SIGINT, 130)])
    func anInterruptedCreateLeavesNothing(_ run: CloudKind.Run, signal: (name: String, number: Int32, status: Int32)) throws {
        let cloud = try run.start(), h = cloud.harness
        try cloud.slowBuilds()
        #expect(cloud.register().status == 0)
        let process = try startWithSignalsOpen(h, ["machine", "create", cloud.provider, "--number_machines", "3",
                                                   "--public_network", cloud.publicNetwork, "--wait_spawning"])
        let deadline = Date().addingTimeInterval(20)
        while try cloud.liveMachines().count < 3 && Date() < deadline { usleep(50_000) }
        #expect(try cloud.liveMachines().count == 3, "the machines were made before the signal")
        kill(process.processIdentifier, signal.number)
        process.waitUntilExit()
        #expect(process.terminationStatus == signal.status, "SIG\(signal.name)")
        try cloud.expectNothingLeft()
    }

    /// SIGTERM while a snapshot is saving: 143, no snapshot left, the machine still destroyable.
    @Test(arguments: CloudKind.onSQLite)
    func anInterruptedSnapshotLeavesNoImage(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        try cloud.slowSnapshots()
        #expect(cloud.register().status == 0)
        let created = h.sh("fabric --json machine create \(p) --wait_spawning")
        let uuid = try #require(created.records.first?["uuid"] as? String, "\(created.stderr)")
        let process = try startWithSignalsOpen(h, ["snapshot", "create", p, uuid, "--wait_spawning"])
        let deadline = Date().addingTimeInterval(20)
        while try cloud.snapshots() == 0 && Date() < deadline { usleep(50_000) }
        #expect(try cloud.snapshots() > 0, "the snapshot was begun before the signal")
        usleep(200_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(try cloud.snapshots() == 0, "the snapshot begun was removed")
        h.expectNothingListed("fabric-store list snapshots")
        #expect(h.sh("fabric machine destroy \(p) \(uuid)").status == 0)
        try cloud.expectNothingLeft()
    }

    // MARK: an address the cloud fails to release

    /// The machine whose address stays allocated is kept whole (machine, address, row), so
    /// nothing is left that no record names, and the other machines of the destroy go; the
    /// retry ends it.
    @Test(arguments: CloudKind.onSQLite.filter { $0.kind.can.contains(.refuseAddressRelease) })
    func anAddressThatIsNotReleasedKeepsOnlyItsMachine(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let created = h.sh("fabric --json machine create \(p) --number_machines 3 --public_network \(cloud.publicNetwork)")
        let uuids = created.records.compactMap { $0["uuid"] as? String }
        try #require(uuids.count == 3, "\(created.stderr)")
        try cloud.clearRequests()
        // The first machine's address: on a cloud whose faults are by action, the first release fails.
        let kept = uuids[0]
        let address = try #require((created.records[0]["public_addresses"] as? [String])?.first)
        #expect(try cloud.refuseAddressRelease(of: created.records[0]))
        let destroyed = h.sh("fabric machine destroy \(p) \(uuids.joined(separator: " "))")
        #expect(destroyed.status == 1)
        #expect(destroyed.stderr.contains("the public address \(address) of machine \(kept) was not released"), "\(destroyed.stderr)")
        #expect(destroyed.stderr.contains("1 machine not destroyed: \(kept)"), "\(destroyed.stderr)")
        try cloud.checkAddressKept(destroyed, count: 3, sourceLocation: #_sourceLocation)
        #expect(try cloud.liveMachines() == [kept], "the others are deleted")
        #expect(try cloud.allocatedAddresses() == 1)
        #expect(h.sh("fabric-store list machines").records.compactMap { $0["uuid"] as? String } == [kept])
        try cloud.stopRefusing()
        let retried = h.sh("fabric machine destroy \(p) \(kept)")
        #expect(retried.status == 0, "\(retried.stderr)")
        try cloud.expectNothingLeft()
    }

    // MARK: nothing sent

    static let badIDs = ["../os-keypairs/qa-victim", "../../servers", "a/b", "..", "x?y=1", "x#y", "%2e%2e", "two words", ""]

    /// An id that would leave its path (or its query) is refused before any request, in one line.
    @Test(arguments: CloudKind.onSQLite)
    func idsThatWouldReachAnotherAPIAreRefusedBeforeAnyRequest(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        try cloud.clearRequests()
        for id in Self.badIDs {
            let quotedID = "'\(id)'"
            let record = "{\"kind\":\"machine\",\"provider_id\":\"\(p)\",\"uuid\":\(jsonString(id))}"
            let snapshot = "{\"kind\":\"snapshot\",\"provider_id\":\"\(p)\",\"id\":\(jsonString(id)),\"machine_uuid\":\"m\"}"
            let commands: [(String, String?)] = [
                ("fabric machine destroy \(p) \(quotedID) --skip_store", nil),
                ("fabric machine destroy \(p) \(quotedID) --skip_store --force", nil),
                ("fabric snapshot create \(p) \(quotedID) --skip_store", nil),
                ("fabric snapshot destroy \(p) \(quotedID) --skip_store", nil),
                ("fabric-destroy -p \(p) \(quotedID)", nil),
                ("fabric-destroy", record),
                ("fabric-snapshot create -p \(p) \(quotedID)", nil),
                ("fabric-snapshot destroy", snapshot),
                ("fabric-wait", record),
                ("fabric-wait", snapshot),
                ("fabric-public-address --network \(cloud.publicNetwork)", record),
            ]
            for (command, stdin) in commands {
                // An empty id in a record is a malformed record (InputError); anywhere else, and
                // every other bad id, a UsageError.
                let result = id.isEmpty && stdin != nil
                    ? h.expectFailure(command, 65, "must be a non-empty string", stdin: stdin)
                    : h.expectFailure(command, 64, id.isEmpty ? "empty" : "is not valid: a", stdin: stdin)
                #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
            }
        }
        if let sent = try cloud.requests() { #expect(sent.isEmpty, "a bad id sent \(sent)") }
        h.expectFailure("fabric machine create \(p) --private_nics port-id=../x", 64, "is not valid: a")
        if let sent = try cloud.requests() { #expect(sent.isEmpty, "a bad port id sent \(sent)") }
        try cloud.expectNothingLeft()
    }

    /// Options that cannot work are refused in one line (64) before anything is sent or made.
    @Test(arguments: CloudKind.runs)
    func usageErrorsSendNothing(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let cases: [(String, String)] = [
            ("--timeout 0", "--timeout"),
            ("--timeout abc", "--timeout"),
            ("--number_machines ''", "--number_machines"),
            ("--number_machines 0", "--number_machines must be from 1 to 1000, not 0"),
            ("--image mindisk=abc", "min_disk must be a non-negative number"),
            ("--private_network private --private_nics net-id=x", "exclude each other"),
            ("--public_network public --public_nics net-id=x", "exclude each other"),
            ("--availability_zone ''", "--availability_zone"),
            ("--userdata /nonexistent/init.yaml", "cannot read \"/nonexistent/init.yaml\""),
            ("--meta fabric_group=x", "reserved"),
        ]
        for (options, message) in cases {
            try cloud.clearRequests()
            let result = h.expectFailure("fabric machine create \(p) \(options)", 64, message)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(options): \(result.stderr)")
            guard let sent = try cloud.requests() else { continue }
            #expect(sent.isEmpty, "\(options) contacted the cloud: \(sent)")
        }
        try cloud.expectNothingLeft()
    }

    // MARK: secrets

    /// The provider's secret (and a cloud's token) is on no process's command line while a
    /// create runs, and in nothing a workflow prints, FABRIC_DEBUG traces included.
    @Test(arguments: CloudKind.onSQLite)
    func secretsNeverShow(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        var printed = ""
        func traced(_ command: String) -> Harness.Result {
            let result = h.sh(command, env: ["FABRIC_DEBUG": "1"])
            printed += result.stdout + result.stderr
            return result
        }
        let registered = cloud.register()
        printed += registered.stdout + registered.stderr
        #expect(registered.status == 0, "\(registered.stderr)")
        let secretsFile = h.write("secrets.txt", cloud.secrets.joined(separator: "\n") + "\n")
        // grep reads the secrets from a file, so its own command line does not hold them; the
        // scan must see a secret where one is: a control process holding it in argv (scanned
        // until it is seen, up to the 10 s the control lives, rather than after a fixed 0.3 s).
        let control = h.sh("bash -c 'sleep 10; true' \"$(head -n 1 \(secretsFile))\" > /dev/null 2>&1 & control=$!; "
                           + "for _ in $(seq 100); do found=$(grep -l -a -F -f \(secretsFile) /proc/[0-9]*/cmdline 2> /dev/null | wc -l); "
                           + "((found > 0)) && break; sleep 0.1; done; echo \"$found\"; pkill -P \"$control\"; kill \"$control\"; wait")
        #expect(control.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0", "the scan finds a secret in argv")
        let scan = h.sh("""
            FABRIC_DEBUG=1 fabric --json machine create \(p) --number_machines 2 --public_network \(cloud.publicNetwork) > created.json 2>&1 & pid=$!
            scans=0; hits=0
            while kill -0 "$pid" 2> /dev/null && ((SECONDS < 300)); do  # bounded: 5 minutes at most
              found=$(grep -l -a -F -f \(secretsFile) /proc/[0-9]*/cmdline 2> /dev/null)
              [[ -n $found ]] && { hits=$((hits + 1)); echo "in: $found"; }
              scans=$((scans + 1))
            done
            kill -0 "$pid" 2> /dev/null && { echo "still running after 300 s"; kill "$pid"; }
            wait "$pid"; echo "status $?"; cat created.json; echo "scans $scans hits $hits"
            """)
        printed += scan.stdout
        #expect(scan.stdout.contains("status 0") && scan.stdout.contains("hits 0"), "\(scan.stdout)")
        #expect(!scan.stdout.contains("scans 0 "), "the create ended before a scan")
        let uuid = try #require(h.sh("fabric-store list machines | jq -r .uuid | head -n 1").lines.first)
        _ = traced("fabric --json provider register \(p) a b null:// t --provider_type null")   // exists
        _ = traced("fabric --json provider list; fabric --table provider list; fabric-store list providers; fabric-store get provider \(p)")
        _ = traced("fabric --json machine list \(p); fabric machine list \(p) --skip_store")
        _ = traced("fabric --json snapshot create \(p) \(uuid) --wait_spawning; fabric --json snapshot destroy \(p) \(uuid)")
        _ = traced("fabric --json machine create \(p) --image name=no-such-image")
        _ = traced("fabric-find-image -p \(p) --all; fabric-find-flavor -p \(p) --all -n")
        _ = traced("fabric-store list machines | fabric-destroy | fabric-store remove")
        // Checked while the provider is registered: the null cloud is listed through it.
        try cloud.expectNothingLeft()
        _ = traced("fabric provider unregister \(p); fabric provider unregister \(p)")
        #expect(printed.contains("fabric-debug: > POST") || run.kind.name == "null", "the trace ran")
        #expect(printed.contains("ProviderError"), "the failing commands ran")
        // Read now: a cloud's secrets include the tokens it issued during the test.
        for secret in cloud.secrets {
            #expect(!printed.contains(secret), "a command printed a secret")
        }
        print("\(run.kind.name) secrets: \(printed.utf8.count) bytes of output and traces, /proc scans: \(scan.lines.last ?? "?")")
    }

    // MARK: helpers

    /// Starts the wrapper with SIGINT, SIGTERM and SIGHUP open (Foundation blocks them in children).
    func startWithSignalsOpen(_ h: Harness, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let argv = (["fabric"] + arguments).map { "'\($0)'" }.joined(separator: ", ")
        process.arguments = ["python3", "-c", """
            import os, signal
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
            os.execvp("fabric", [\(argv)])
            """]
        process.environment = h.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
