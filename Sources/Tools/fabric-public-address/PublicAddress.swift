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
        // Records that need no address wait as their text, not as parsed trees (CheckedInput).
        var work: [Work] = []
        try reader.readAll { (record) throws(FabricError) in
            guard let network = network ?? record["public_network"]?.string else {
                work.append(.unchanged(record.encoded()))
                return
            }
            let uuid = try record.requiredString("uuid", in: "machine record")
            let provider = try session.provider(try session.providerID(for: record, option: providerOptions.provider))
            work.append(.attach(record, network: network, uuid: uuid, provider: provider))
        }
        for item in work {
            try Interruption.check()
            switch item {
            case .unchanged(let text):
                RecordWriter.standardOutput.write(line: text)
            case .attach(let record, let network, let uuid, let provider):
                let address = try provider.attachPublicAddress(uuid, network: network)
                record["public_addresses"] = JSON(record.strings("public_addresses") + [address])
                record["addresses"] = JSON(record.strings("addresses") + [address])
                record["public_network"] = JSON(network)
                RecordWriter.standardOutput.write(record)
            }
        }
    }

    private enum Work {
        case unchanged(String)
        case attach(JSON, network: String, uuid: String, provider: any Provider)
    }
}
