import Foundation
import Testing

/// Tools that act on each record (destroy, snapshot, store, take addresses) read and check
/// their whole input first, so a malformed record anywhere changes nothing; and what they
/// share (force handling, waiting, store look-ups) behaves the same in each.
@Suite struct InputFirstTests {
    /// Two ACTIVE machines recorded in the store; their records as JSON lines.
    static func twoMachines(_ h: Harness, extra: [String] = []) -> String {
        h.registerNull(extra: extra)
        let create = h.sh("fabric --json machine create demo --number_machines 2 --wait_spawning")
        precondition(create.status == 0, create.stderr)
        return create.stdout
    }

    static let badTails: [(String, Int32, String)] = [
        ("{\"kind\":\"machine\",\"provider_id\":\"demo\"", 65, "invalid JSON"),
        ("{\"kind\":\"machine\",\"provider_id\":\"demo\"}", 65, "lacks \"uuid\""),
        ("{\"kind\":\"machine\",\"provider_id\":\"nope\",\"uuid\":\"x\"}", 2, "provider \"nope\" does not exist"),
        ("[1]", 65, "expected a JSON object"),
    ]

    /// Runs `command` on two good machine records followed by bad tail `index`, and checks
    /// that it fails as that tail should; returns the harness to check that nothing changed.
    static func failOnBadTail(_ index: Int, _ command: String) -> Harness {
        let (tail, status, message) = badTails[index]
        let h = Harness()
        let machines = twoMachines(h)
        let result = h.sh(command, stdin: machines + tail + "\n")
        #expect(result.status == status, "\(command): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
        return h
    }

    @Test(arguments: 0..<badTails.count)
    func destroyChangesNothingOnBadInput(index: Int) {
        let h = Self.failOnBadTail(index, "fabric-destroy | fabric-store remove")
        #expect(h.cloudMachines() == 2, "no machine may be destroyed")
        #expect(h.count("machines") == 2)
    }

    @Test(arguments: 0..<badTails.count)
    func snapshotCreateChangesNothingOnBadInput(index: Int) {
        let h = Self.failOnBadTail(index, "fabric-snapshot create | fabric-store add")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot").records.isEmpty)
        #expect(h.count("snapshots") == 0)
    }

    @Test func snapshotDestroyChangesNothingOnBadInput() {
        let h = Harness()
        let machines = Self.twoMachines(h)
        let snapshots = h.sh("fabric-snapshot create --wait | fabric-store add", stdin: machines)
        #expect(snapshots.records.count == 2, "\(snapshots.stderr)")
        let result = h.sh("fabric-store list snapshots | { cat; echo '{\"kind\":\"snapshot\",\"provider_id\":\"demo\"}'; } | fabric-snapshot destroy | fabric-store remove")
        #expect(result.status == 65)
        #expect(result.stderr.contains("snapshot record lacks \"id\""), "\(result.stderr)")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot").records.count == 2)
        #expect(h.count("snapshots") == 2)
    }

    @Test(arguments: 0..<badTails.count)
    func publicAddressTakesNothingOnBadInput(index: Int) {
        let h = Self.failOnBadTail(index, "fabric-public-address --network public")
        let listed = h.sh("fabric-list-machines -p demo | jq -c '.public_addresses // []'")
        #expect(listed.lines == ["[]", "[]"], "no address may be taken: \(listed.stdout)")
    }

    @Test func storeAddAndRemoveChangeNothingOnBadInput() {
        let h = Harness()
        h.registerNull()
        let booted = h.sh("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --number 2")
        #expect(booted.records.count == 2, "\(booted.stderr)")
        let tails = Self.badTails.map { ($0.0, $0.1, $0.2) } + [
            ("{\"kind\":\"flavor\",\"id\":\"1\"}", 65, "fabric-store keeps machines, snapshots and providers"),
            ("{\"kind\":\"snapshot\",\"provider_id\":\"demo\",\"id\":\"s\"}", 65, "lacks \"machine_uuid\""),
        ]
        for (tail, status, message) in tails {
            let add = h.sh("fabric-store add", stdin: booted.stdout + tail)
            #expect(add.status == status, "\(tail): \(add.stderr)")
            #expect(add.stderr.contains(message), "\(tail): \(add.stderr)")
            #expect(add.stdout.isEmpty, "nothing passed on when nothing was stored")
            #expect(h.count("machines") == 0, "\(tail): nothing may be stored")
        }
        #expect(h.sh("fabric-store add", stdin: booted.stdout).records.count == 2)
        for (tail, status, message) in Self.badTails where status == 65 {
            let remove = h.sh("fabric-store remove", stdin: booted.stdout + tail)
            #expect(remove.status == status)
            #expect(remove.stderr.contains(message), "\(tail): \(remove.stderr)")
            #expect(h.count("machines") == 2, "\(tail): nothing may be removed")
        }
        #expect(h.sh("fabric-store remove", stdin: booted.stdout).records.count == 2)
        #expect(h.count("machines") == 0)
    }

    /// fabric-store get and remove name a missing record the same way.
    @Test func storeGetAndRemoveShareTheirErrors() {
        let h = Harness()
        h.registerNull()
        let cases: [(String, Int32, String)] = [
            ("get machine x", 64, "get machine needs -p ID"),
            ("remove machine x", 64, "remove machine needs -p ID"),
            ("get snapshot x", 64, "get snapshot needs -p ID"),
            ("remove snapshot x", 64, "remove snapshot needs -p ID"),
            ("get machine -p nope x", 2, "provider \"nope\" does not exist"),
            ("remove machine -p nope x", 2, "provider \"nope\" does not exist"),
            ("get machine -p demo x", 1, "machine \"x\" is not in the store for provider \"demo\""),
            ("remove machine -p demo x", 1, "machine \"x\" is not in the store for provider \"demo\""),
            ("get snapshot -p demo s", 3, "snapshot \"s\" is not in the store for provider \"demo\""),
            ("remove snapshot -p demo s", 3, "snapshot \"s\" is not in the store for provider \"demo\""),
        ]
        for (arguments, status, message) in cases { h.expectFailure("fabric-store \(arguments)", status, message) }
    }

    /// fabric-destroy and fabric-snapshot destroy share their --force handling.
    @Test func destroyFailuresAndForce() {
        let h = Harness()
        let machines = Self.twoMachines(h, extra: ["fail_destroy=true"])
        let refused = h.expectFailure("fabric-destroy | fabric-store remove", 1, "MachineError: 2 machines not destroyed",
                                      stdin: machines)
        #expect(refused.stderr.contains("use --force to forget them"))
        #expect(refused.stdout.isEmpty)
        #expect(h.count("machines") == 2, "a machine the cloud kept stays recorded")
        let forced = h.sh("fabric-destroy --force | fabric-store remove", stdin: machines)
        #expect(forced.status == 0)
        #expect(forced.records.map { $0["status"] as? String } == ["DELETED", "DELETED"])
        #expect(forced.stderr.contains("--force: forgetting machine"))
        #expect(h.count("machines") == 0)

        let missing = h.sh("fabric-snapshot destroy -p demo", stdin: "{\"kind\":\"snapshot\",\"provider_id\":\"demo\",\"id\":\"gone\",\"machine_uuid\":\"m\"}")
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("SnapshotError: 1 snapshot not destroyed: gone"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)
        let forgotten = h.sh("fabric-snapshot destroy -p demo --force", stdin: "{\"kind\":\"snapshot\",\"provider_id\":\"demo\",\"id\":\"gone\",\"machine_uuid\":\"m\"}")
        #expect(forgotten.status == 0)
        #expect(forgotten.records.first?["status"] as? String == "deleted")
        #expect(forgotten.stderr.contains("--force: forgetting snapshot gone"))
    }

    // MARK: snapshot create --wait: nothing lost

    @Test func snapshotThatFailsIsNotLeftBehind() {
        let h = Harness()
        let machines = Self.twoMachines(h, extra: ["fail_snapshot=true"])
        let uuid = h.sh("jq -r .uuid | head -n 1", stdin: machines).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = h.sh("fabric --json snapshot create demo \(uuid) --wait_spawning")
        #expect(result.status == 3)
        #expect(result.stderr.contains("is killed: injected failure (fail_snapshot)"), "\(result.stderr)")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot --image status=killed").records.isEmpty,
                "the killed snapshot must be removed, as the store never hears of it")
        #expect(h.count("snapshots") == 0)
    }

    @Test func snapshotThatTimesOutIsNotLeftBehind() {
        let h = Harness()
        let machines = Self.twoMachines(h, extra: ["snapshot_seconds=60"])
        let result = h.expectFailure("fabric-snapshot create --wait --timeout 0.5 | fabric-store add", 5,
                                     "TimeoutError: 2 of 2 not ready", stdin: machines)
        #expect(result.stderr.contains("fabric-find-image -p demo --all --image image_type=snapshot"), "\(result.stderr)")
        #expect(!result.stderr.contains("fabric-list-machines"), "the hint must name a tool that shows snapshots")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot --image status=saving").records.isEmpty)
        #expect(h.count("snapshots") == 0)
    }

    @Test func interruptedSnapshotWaitLeavesNothing() {
        let h = Harness()
        let machines = Self.twoMachines(h, extra: ["snapshot_seconds=60"])
        let script = """
            fabric-snapshot create --wait > out.jsonl 2> err.txt < in.jsonl & pid=$!
            for _ in $(seq 100); do
              fabric-find-image -p demo --all --image status=saving 2>/dev/null | grep -q . && break; sleep 0.1
            done
            sleep 0.3; kill -TERM "$pid"; wait "$pid"; echo "status $?"; cat err.txt
            """
        try? machines.write(toFile: h.directory.appendingPathComponent("in.jsonl").path, atomically: true, encoding: .utf8)
        let result = h.sh(script)
        #expect(result.stdout.contains("status 143"), "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("removed snapshot"), "\(result.stdout)")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot --image status=saving").records.isEmpty)
    }

    @Test func waitTimeoutHintNamesTheMachineTool() {
        let h = Harness()
        h.registerNull(extra: ["build_seconds=60"])
        let result = h.sh("fabric-find-image -p demo | fabric-find-flavor | fabric-boot | fabric-wait --timeout 0.3 | fabric-store add")
        #expect(result.status == 5)
        #expect(result.stderr.contains("TimeoutError: 1 of 1 not ready after 0.3 s"), "\(result.stderr)")
        #expect(result.stderr.contains("see: fabric-list-machines -p demo"), "\(result.stderr)")
        // The machine's record still goes on, saying where it stopped: the store does not lose it.
        let stored = h.sh("fabric-store list machines").records
        #expect(stored.count == 1 && (stored.first?["stopped_at"] as? [String: Any])?["stage"] as? String == "active", "\(stored)")
        _ = h.sh("fabric-list-machines -p demo | fabric-destroy")
    }

    @Test func waitFailsWithTheProvidersReasonForEitherKind() {
        let h = Harness()
        h.registerNull(extra: ["fail_machine=2"])
        let machines = h.sh("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --number 2 | fabric-wait")
        #expect(machines.status == 1)
        #expect(machines.stderr.contains("went to ERROR: injected failure (fail_machine=2)"), "\(machines.stderr)")
        let gone = h.sh("fabric-wait", stdin: "{\"kind\":\"snapshot\",\"provider_id\":\"demo\",\"id\":\"nope\"}")
        #expect(gone.status == 3)
        #expect(gone.stderr.contains("SnapshotError: snapshot nope no longer exists on provider \"demo\""), "\(gone.stderr)")
        let goneMachine = h.sh("fabric-wait", stdin: "{\"kind\":\"machine\",\"provider_id\":\"demo\",\"uuid\":\"nope\"}")
        #expect(goneMachine.status == 1)
        #expect(goneMachine.stderr.contains("MachineError: machine nope no longer exists on provider \"demo\""))
        _ = h.sh("fabric-list-machines -p demo | fabric-destroy")
    }
}
