import ArgumentParser
import FabricCore

struct PublicAddress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-public-address",
        abstract: "Give each ACTIVE machine an address on a public network.",
        discussion: """
            For each machine record, takes a floating address on --network (or on the record's \
            public_network, as fabric-boot --public-network writes it) and adds it to \
            public_addresses and addresses. Records with neither pass through unchanged. \
            fabric-destroy releases the addresses again.
            """,
        version: fabricVersion)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The public (external) network to take addresses from.", valueName: "name"))
    var network: String?

    func run() throws {
        Interruption.install()
        let session = Session(store: storeOptions)
        var reader = RecordReader()
        while let record = try reader.next() {
            try Interruption.check()
            guard let network = network ?? record["public_network"]?.string else {
                RecordWriter.standardOutput.write(record)
                continue
            }
            let uuid = try record.requiredString("uuid", in: "machine record")
            let provider = try session.provider(try session.providerID(for: record, option: providerOptions.provider))
            let address = try provider.attachPublicAddress(uuid, network: network)
            record["public_addresses"] = JSON(record.strings("public_addresses") + [address])
            record["addresses"] = JSON(record.strings("addresses") + [address])
            record["public_network"] = JSON(network)
            RecordWriter.standardOutput.write(record)
        }
    }
}

PublicAddress.fabricMain()
