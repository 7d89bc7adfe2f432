import ArgumentParser
import FabricCLI
import FabricRecords

struct ListMachines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-list-machines",
        abstract: "List the machines fabric made, straight from the provider.",
        discussion: """
            Asks the provider (not the store) for every machine carrying fabric's group tag and \
            prints a machine record for each that passes every filter. --where compares any \
            top-level record field (uuid, name, status, av_zone, group, ...); --meta compares \
            machine metadata. Both take key=value and the equal operator. With --refresh it \
            reads machine records instead (fabric-store list machines) and prints each with \
            the provider's view now, asking each provider once for all of its machines; a \
            machine the provider no longer has gets status GONE.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep machines whose field equals the value.", valueName: "key=value"))
    var fields: [String] = []

    @Option(help: ArgumentHelp("Keep machines whose metadata key equals the value.", valueName: "key=value"))
    var meta: [String] = []

    @Option(help: ArgumentHelp("Keep the machines of one group (fabric-boot --group).", valueName: "id"))
    var group: String?

    func validate() throws {
        if let group { try Identifier.group.check(group) }
    }

    @Flag(help: "Read machine records and print each with the provider's view now (GONE when it has none).")
    var refresh = false

    func run() throws {
        if refresh { return try refreshRecords() }
        guard let id = providerOptions.provider else { throw FabricError.usage("-p ID is required") }
        var fieldFilters = try parseKeyValues(fields, option: "--where")
        if let group { fieldFilters.append(("group", group)) }
        let metaFilters = try parseKeyValues(meta, option: "--meta")
        let context = ToolContext(store: storeOptions)
        for machine in try context.provider(id).listMachines() {
            let record = machine.json()
            let fieldsMatch = fieldFilters.allSatisfy { record[$0.key]?.scalarText == $0.value }
            let metaMatch = metaFilters.allSatisfy { filter in machine.metadata.contains { $0 == filter } }
            if fieldsMatch && metaMatch { RecordWriter.standardOutput.write(record) }
        }
    }

    /// The status of a machine the provider no longer has: shown, not dropped, so a listing
    /// tells what was lost (`fabric machine destroy --force` removes its row).
    static let gone = "GONE"

    private func refreshRecords() throws {
        if !fields.isEmpty || !meta.isEmpty || group != nil { throw FabricError.usage("--refresh takes no filters: filter what it reads") }
        var reader = RecordReader()
        let records = try reader.readAll()
        let context = ToolContext(store: storeOptions)
        // Each record's provider and uuid, read once; each provider asked once for all of its own.
        var keyed: [(provider: String, uuid: String, record: JSON)] = []
        var uuidsByProvider: [String: [String]] = [:]
        for record in records {
            guard try RecordKind(of: record) == .machine else {
                throw FabricError.input("--refresh takes machine records, not \(abbreviated(record))")
            }
            let provider = try context.providerID(for: record, option: providerOptions.provider)
            let uuid = try record.requiredString("uuid", in: "machine record")
            keyed.append((provider, uuid, record))
            uuidsByProvider[provider, default: []].append(uuid)
        }
        var now: [String: [String: Machine]] = [:]
        for (provider, uuids) in uuidsByProvider.sorted(by: { $0.key < $1.key }) {
            now[provider] = Dictionary(try context.provider(provider).machines(uuids).map { ($0.uuid, $0) },
                                       uniquingKeysWith: { first, _ in first })
        }
        for (provider, uuid, record) in keyed {
            if let machine = now[provider]?[uuid], !machine.isGone {
                machine.merge(into: record)
            } else {
                record["status"] = JSON(Self.gone)
            }
            RecordWriter.standardOutput.write(record)
        }
    }
}
