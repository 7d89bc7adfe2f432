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
        // Not a streaming filter: every record (and its provider) is read and checked before
        // the first address is taken, so bad input takes none. fabric-wait upstream streams;
        // the records it emits early wait here only until it is done.
        var reader = RecordReader()
        var work: [(record: JSON, network: String, uuid: String, provider: any Provider)?] = []
        let records = try reader.readAll()
        for record in records {
            guard let network = network ?? record["public_network"]?.string else {
                work.append(nil)
                continue
            }
            let uuid = try record.requiredString("uuid", in: "machine record")
            let provider = try session.provider(try session.providerID(for: record, option: providerOptions.provider))
            work.append((record, network, uuid, provider))
        }
        for (record, item) in zip(records, work) {
            try Interruption.check()
            if let (record, network, uuid, provider) = item {
                let address = try provider.attachPublicAddress(uuid, network: network)
                record["public_addresses"] = JSON(record.strings("public_addresses") + [address])
                record["addresses"] = JSON(record.strings("addresses") + [address])
                record["public_network"] = JSON(network)
            }
            RecordWriter.standardOutput.write(record)
        }
    }
}

PublicAddress.fabricMain()
