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
            machine metadata. Both take key=value and the equal operator.
            """,
        version: fabricVersion)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep machines whose field equals the value.", valueName: "key=value"))
    var fields: [String] = []

    @Option(help: ArgumentHelp("Keep machines whose metadata key equals the value.", valueName: "key=value"))
    var meta: [String] = []

    @Option(help: ArgumentHelp("Keep the machines of one group (fabric-boot --group).", valueName: "id"))
    var group: String?

    func run() throws {
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
}
