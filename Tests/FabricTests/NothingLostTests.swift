import Foundation
import Testing

/// Nothing that costs money is lost from fabric's sight: a provider is not unregistered while
/// its cloud holds machines fabric made for it, and the plumbing composed by hand stores every
/// machine the cloud made, with where it stopped, when a stage after fabric-boot fails.
@Suite struct NothingLostTests {
    func register(_ h: Harness, extra: [String] = []) {
        let extras = extra.map { "--extra \($0)" }.joined(separator: " ")
        let result = h.sh("fabric provider register demo admin secret null:// demo --provider_type null "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(extras)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Lines of a listing that must itself succeed: a crashed listing is not "nothing".
    func listing(_ h: Harness, _ command: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let result = h.sh(command)
        #expect(result.status == 0, "\(command): \(result.stderr)", sourceLocation: sourceLocation)
        return result.lines
    }

    // MARK: provider unregister

    @Test func unregisterRefusesWhileTheCloudHoldsMachinesMadeWithSkipStore() {
        let h = Harness()
        register(h)
        let created = h.sh("fabric --json machine create demo --number_machines 2 --skip_store")
        #expect(created.status == 0 && created.records.count == 2, "\(created.stderr)")
        let uuids = created.records.compactMap { $0["uuid"] as? String }
        #expect(listing(h, "fabric-store list machines").isEmpty, "--skip_store stored nothing")
        let refused = h.expectFailure("fabric provider unregister demo", 2, "ProviderError: provider \"demo\" still has 2 machines in its cloud")
        for uuid in uuids { #expect(refused.stderr.contains(uuid), "\(refused.stderr)") }
        #expect(listing(h, "fabric-store list providers").count == 1, "the provider stays registered")
        // --force unregisters and says what stays.
        let forced = h.sh("fabric --json provider unregister demo --force")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("its cloud still holds 2 machines") && uuids.allSatisfy(forced.stderr.contains), "\(forced.stderr)")
        #expect(listing(h, "fabric-store list providers").isEmpty)
    }

    @Test func unregisterOfAProviderWithoutMachinesAsksTheCloudAndGoes() {
        let h = Harness()
        register(h)
        let created = h.sh("fabric --json machine create demo --number_machines 1 --skip_store")
        #expect(created.status == 0, "\(created.stderr)")
        let uuid = created.records.first?["uuid"] as? String ?? "none"
        #expect(h.sh("fabric machine destroy demo \(uuid) --skip_store").status == 0)
        let gone = h.sh("fabric --json provider unregister demo | jq -r .provider_id")
        #expect(gone.status == 0 && gone.stdout == "demo\n" && gone.stderr.isEmpty, "\(gone.stdout) \(gone.stderr)")
    }

    @Test func unregisterRefusesWhenTheCloudCannotBeAsked() {
        let h = Harness()
        // An OpenStack whose Keystone is nowhere (a closed loopback port): the cloud cannot say.
        let registered = h.sh("fabric provider register os admin secret http://127.0.0.1:9/v3 demo --extra timeout=2")
        #expect(registered.status == 0, "\(registered.stderr)")
        h.expectFailure("fabric provider unregister os", 2, "cannot ask provider \"os\"'s cloud which machines it still holds")
        #expect(listing(h, "fabric-store list providers").count == 1)
        let forced = h.sh("fabric provider unregister os --force")
        #expect(forced.status == 0 && forced.stderr.contains("its cloud could not be asked"), "\(forced.stderr)")
        #expect(listing(h, "fabric-store list providers").isEmpty)
    }

    // MARK: the plumbing typed by hand

    static let handPipeline = """
        fabric-find-image -p demo --image name=ubuntu-24.04-mysql-8.4 | fabric-find-flavor --flavor name=m1.medium \
          | fabric-boot --number 3 --public-network public | fabric-public-address --timeout 5 \
          | fabric-wait --until cloud-init --timeout 60 | fabric-store add
        """

    /// The README's clean-up of a failed batch: every record carries its batch (the machines of
    /// one fabric-boot), and one line removes them from the cloud and the store.
    static let cleanUp = """
        batch=$(fabric-store list machines | jq -r 'select(.stopped_at.failed) | .batch' | head -n 1)
        fabric-store list machines --batch "$batch" | fabric-destroy | fabric-store remove > /dev/null
        """

    /// Every machine the cloud made is in the store; those not ready say where they stopped
    /// (one of `stages`), one of them failed; then the clean-up leaves nothing.
    func expectStoredWhereTheyStoppedThenCleanedUp(_ h: Harness, stage: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        let cloud = listing(h, "fabric-list-machines -p demo | jq -r .uuid | sort", sourceLocation: sourceLocation)
        let stored = listing(h, "fabric-store list machines | jq -r .uuid | sort", sourceLocation: sourceLocation)
        #expect(cloud.count == 3 && stored == cloud, "cloud \(cloud), store \(stored)", sourceLocation: sourceLocation)
        let stages = listing(h, "fabric-store list machines | jq -r 'select(.stopped_at) | .stopped_at.stage'", sourceLocation: sourceLocation)
        #expect(!stages.isEmpty && stages.allSatisfy(stage.contains), "\(stages)", sourceLocation: sourceLocation)
        let failed = listing(h, "fabric-store list machines | jq -r 'select(.stopped_at.failed) | .uuid'", sourceLocation: sourceLocation)
        #expect(!failed.isEmpty, "no record says which machine failed", sourceLocation: sourceLocation)
        let cleaned = h.sh(Self.cleanUp)
        #expect(cleaned.status == 0, "\(cleaned.stderr)", sourceLocation: sourceLocation)
        #expect(listing(h, "fabric-list-machines -p demo").isEmpty && listing(h, "fabric-store list machines").isEmpty,
                "the clean-up left something", sourceLocation: sourceLocation)
    }

    @Test func aFailedCloudInitLeavesEveryMachineInTheStore() {
        let h = Harness()
        register(h, extra: ["fail_cloud_init=2"])
        let result = h.expectFailure(Self.handPipeline, 1, "fabric-wait: MachineError")
        #expect(result.stdout.split(separator: "\n").count == 3, "the records go on: \(result.stdout)")
        expectStoredWhereTheyStoppedThenCleanedUp(h, stage: ["cloud-init"])
    }

    @Test func aFailedPublicAddressLeavesEveryMachineInTheStore() {
        let h = Harness()
        register(h, extra: ["fail_public_address=true"])
        // fabric-wait passes the records on at once, failing (1) for the machine it was not given.
        let result = h.expectFailure(Self.handPipeline, 1, "fabric-public-address: ")
        #expect(result.stderr.contains("fabric-wait: MachineError: machine") && result.stderr.contains("failed at address before the wait"),
                "\(result.stderr)")
        expectStoredWhereTheyStoppedThenCleanedUp(h, stage: ["address"])
    }

    @Test func anInterruptedPipelineLeavesEveryMachineInTheStore() {
        let h = Harness()
        register(h, extra: ["cloud_init_seconds=60"])
        // Ctrl-C reaches the whole foreground pipeline at once: its process group here. The
        // signal goes once fabric-wait holds the records (tee sees them pass) and has begun.
        let pipeline = Self.handPipeline.replacingOccurrences(of: "| fabric-wait", with: "| tee waiting.json | fabric-wait")
        let result = h.sh("""
            set -m
            ( \(pipeline) ) 2> err &
            group=$!
            for _ in $(seq 600); do [[ -f waiting.json && $(wc -l < waiting.json) == 3 ]] && break; sleep 0.1; done
            sleep 1
            kill -INT -- "-$group"
            wait "$group"; echo "status $?"
            cat err >&2
            """)
        #expect(result.stdout.contains("status 130"), "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("fabric-store: Interrupted"), "fabric-store add reported the interrupt after storing: \(result.stderr)")
        // Where fabric-wait held them: at cloud-init, or still at active on a busy machine; an
        // interrupt fails none of them, so the clean-up takes the batch of any.
        let stages = listing(h, "fabric-store list machines | jq -r '.stopped_at.stage'")
        #expect(stages.count == 3 && stages.allSatisfy(["active", "cloud-init"].contains), "\(stages)")
        let cleaned = h.sh("fabric-store list machines | fabric-destroy | fabric-store remove > /dev/null")
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(listing(h, "fabric-list-machines -p demo").isEmpty && listing(h, "fabric-store list machines").isEmpty)
    }
}
