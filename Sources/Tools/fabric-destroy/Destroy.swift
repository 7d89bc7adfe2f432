import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct Destroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-destroy",
        abstract: "Destroy machines and release their public addresses.",
        discussion: """
            Destroys the machines named on the command line (with -p) or by machine records on \
            standard input, all at once: their public addresses are released (those the cloud \
            reports and those the records name), every machine is deleted, then all are waited \
            for together. It prints the record of each machine \
            destroyed with status DELETED, ready for `fabric-store remove`. A machine that \
            cannot be destroyed is not printed, so the store keeps it; the exit status says so. \
            A machine whose address the cloud fails to release is kept whole, so the address \
            is not left unrecorded. With --force, a machine the provider no longer has (or fails \
            to delete) is printed anyway, with a warning, so its record can be forgotten, and one \
            whose address stays is deleted anyway, the warning naming the address. The whole \
            input is read and checked before the first machine is destroyed.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var machines: MachineInput

    @Flag(help: "Print machines the provider could not destroy too, so their records are removed.")
    var force = false

    func run() throws {
        Interruption.install()
        let context = ToolContext(store: storeOptions)
        // Not a streaming filter: destroying is irreversible, so every record (and its
        // provider) is checked before the first machine goes.
        var targets: [DestroyTarget] = []
        for record in try machines.records(provider: providerOptions.provider) {
            let uuid = try record.requiredString("uuid", in: "machine record")
            try Identifier.machine.check(uuid)
            let provider = try context.provider(try context.providerID(for: record, option: providerOptions.provider))
            targets.append(DestroyTarget(record: record, id: uuid, provider: provider))
        }
        try Destruction(force: force, kind: .machine, noun: "machine", deletedStatus: "DELETED")
            .run(targets, deleteAll: { (provider, batch) throws(FabricError) in
                try provider.destroy(batch.map { MachineRef(uuid: $0.id, publicAddresses: $0.record.strings("public_addresses")) },
                                     force: force)
            })
    }
}
