import ArgumentParser
import FabricCore

struct Destroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-destroy",
        abstract: "Destroy machines and release their public addresses.",
        discussion: """
            Destroys each machine named on the command line (with -p) or by a machine record on \
            standard input, releasing its public addresses first, and prints the record of each \
            machine destroyed with status DELETED, ready for `fabric-store remove`. A machine that \
            cannot be destroyed is not printed, so the store keeps it; the exit status says so. \
            With --force, a machine the provider no longer has (or fails to delete) is printed \
            anyway, with a warning, so its record can be forgotten.
            """,
        version: fabricVersion)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print machines the provider could not destroy too, so their records are removed.")
    var force = false

    @Argument(help: ArgumentHelp("Machine UUIDs (with -p); without them, machine records are read.", valueName: "uuid"))
    var uuids: [String] = []

    func run() throws {
        Interruption.install()
        let session = Session(store: storeOptions)
        var input: RecordSource
        if uuids.isEmpty {
            input = RecordSource(reader: RecordReader())
        } else {
            guard let provider = providerOptions.provider else { throw FabricError.usage("machine UUIDs need -p ID") }
            input = RecordSource(records: uuids.map { JSON(["kind": JSON("machine"), "provider_id": JSON(provider), "uuid": JSON($0)]) })
        }
        var failures: [String] = []
        while let record = try input.next() {
            try Interruption.check()
            let uuid = try record.requiredString("uuid", in: "machine record")
            let providerID = try session.providerID(for: record, option: providerOptions.provider)
            let provider = try session.provider(providerID)
            if let error = attempt({ () throws(FabricError) in try provider.destroy(uuid) }) {
                if error.kind == .interrupted || error.kind == .provider { throw error }
                if force {
                    warn("--force: forgetting machine \(uuid) although: \(error.message)")
                } else {
                    warn(error.description)
                    failures.append(uuid)
                    continue
                }
            }
            record["status"] = JSON("DELETED")
            record["provider_id"] = JSON(providerID)
            RecordWriter.standardOutput.write(record)
        }
        if !failures.isEmpty {
            throw FabricError.machine("\(failures.count) machine\(failures.count == 1 ? "" : "s") not destroyed: \(failures.joined(separator: ", "))",
                                      hint: "retry, or use --force to forget them")
        }
    }
}

Destroy.fabricMain()
