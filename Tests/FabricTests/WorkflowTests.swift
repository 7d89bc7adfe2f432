import Foundation
import Testing

/// The spec's commands through the `fabric` wrapper on the null provider, on both backends:
/// what only the null provider has (its injected failures). The workflow itself is the
/// provider contract's (Contract/ProviderContract.swift).
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
        // No store yet: that is what the user is told, and none is made by asking.
        let noStore = h.sh("fabric machine create nope")
        #expect(noStore.status == 4 && noStore.stderr.contains("there is no store at") || noStore.stderr.contains("Unknown database"),
                "\(noStore.stderr)")
        h.registerNull()
        let create = h.sh("fabric machine create nope")
        #expect(create.status == 2)
        #expect(create.stderr.contains("ProviderError: provider \"nope\" does not exist (see: fabric provider list)"), "\(create.stderr)")
    }
}
