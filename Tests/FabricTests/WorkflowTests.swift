import Foundation
import Testing

/// The spec's commands through the `fabric` wrapper on the null provider, on both backends.
@Suite struct WorkflowTests {
    @Test(arguments: Backend.allCases) func providerRegisterListUnregister(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let list = h.sh("fabric --json provider list")
        #expect(list.status == 0)
        #expect(list.records.count == 1)
        #expect(list.records.first?["provider_id"] as? String == "demo")
        #expect(list.records.first?["type"] as? String == "NULLPROVIDER")
        #expect(!list.stdout.contains("secret"), "the password must never be listed")
        let again = h.sh("fabric provider register demo a b null:// t --provider_type null")
        #expect(again.status == 2)
        #expect(again.stderr.contains("ProviderError: provider \"demo\" already exists"))
        #expect(h.sh("fabric --json provider list --provider_id demo").records.count == 1)
        #expect(h.sh("fabric --json provider list --provider_id nope").records.isEmpty)
        #expect(h.sh("fabric provider unregister demo").status == 0)
        let missing = h.sh("fabric provider unregister demo")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("ProviderError: provider \"demo\" does not exist"))
    }

    @Test(arguments: Backend.allCases) func machineCreateListSnapshotDestroy(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let create = h.sh("fabric --json machine create demo --number_machines 3 --wait_spawning --meta role=replica")
        #expect(create.status == 0, "\(create.stderr)")
        let machines = create.records
        #expect(machines.count == 3)
        for machine in machines {
            #expect(machine["status"] as? String == "ACTIVE")
            #expect(machine["av_zone"] as? String == "nova")
            #expect((machine["addresses"] as? [String])?.first?.hasPrefix("198.51.100.") == true)
            #expect((machine["meta"] as? [String: String])?["role"] == "replica")
        }
        #expect(Set(machines.compactMap { $0["group"] as? String }).count == 1, "one group id per call")
        #expect(h.count("machines") == 3)
        let uuid = machines[0]["uuid"] as! String
        let snapshot = h.sh("fabric --json snapshot create demo \(uuid) --wait_spawning")
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(snapshot.records.first?["status"] as? String == "active")
        #expect(snapshot.records.first?["machine_uuid"] as? String == uuid)
        #expect(h.count("snapshots") == 1)
        let unregister = h.sh("fabric provider unregister demo")
        #expect(unregister.status == 2, "a provider with machines cannot be unregistered")
        #expect(unregister.stderr.contains("still has 3 machines"))
        let destroy = h.sh("fabric --json machine destroy demo \(uuid)")
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(h.count("machines") == 2)
        #expect(h.count("snapshots") == 0, "machine destroy destroys its snapshots")
        #expect(h.sh("fabric-find-image -p demo --all --image image_type=snapshot").records.isEmpty)
        #expect(h.cloudMachines() == 2)
    }

    @Test(arguments: Backend.allCases) func createFailureLeavesNothing(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull(extra: ["fail_machine=2"])
        let create = h.sh("fabric machine create demo --number_machines 3 --wait_spawning")
        #expect(create.status == 1)
        #expect(create.stderr.contains("MachineError"))
        #expect(create.stderr.contains("fail_machine=2"))
        #expect(h.cloudMachines() == 0, "nothing left in the emulated cloud")
        #expect(h.count("machines") == 0, "nothing left in the store")
    }

    @Test(arguments: Backend.allCases) func createRefusedLeavesNothing(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull(extra: ["fail_create=true"])
        let create = h.sh("fabric machine create demo --number_machines 2")
        #expect(create.status == 1)
        #expect(create.stderr.contains("fail_create"))
        #expect(h.cloudMachines() == 0)
        #expect(h.count("machines") == 0)
    }

    @Test(arguments: Backend.allCases) func unknownProvider(_ backend: Backend) {
        let h = Harness(backend)
        let create = h.sh("fabric machine create nope")
        #expect(create.status == 2)
        #expect(create.stderr.contains("ProviderError: provider \"nope\" does not exist (see: fabric provider list)"))
    }

    @Test(arguments: Backend.allCases) func badOptionsChangeNothing(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let cases: [(String, String)] = [
            ("fabric machine create demo --image mindisk=abc", "min_disk must be a non-negative number"),
            ("fabric machine create demo --number_machines 0", "--number must be a whole number from 1"),
            ("fabric machine create demo --private_network private --private_nics net-id=x", "exclude each other"),
            ("fabric machine create demo --public_network public --public_nics net-id=x", "exclude each other"),
            ("fabric machine create demo --userdata /nonexistent/init.yaml", "cannot read \"/nonexistent/init.yaml\""),
            ("fabric machine create demo --meta fabric_group=x", "reserved"),
        ]
        for (command, message) in cases {
            let result = h.sh(command)
            #expect(result.status == 64, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
        }
        #expect(h.cloudMachines() == 0)
        #expect(h.count("machines") == 0)
    }
}
