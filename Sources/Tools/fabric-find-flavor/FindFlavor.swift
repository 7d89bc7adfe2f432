import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct FindFlavor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-find-flavor",
        abstract: "Add the flavor to boot with to each record.",
        discussion: """
            For each record on standard input (usually from fabric-find-image), finds the flavor \
            whose properties equal every --flavor key=value (keys: name, id, vcpus, ram, disk, swap, \
            ephemeral, rxtx_factor) and adds it as "flavor". Without --flavor, the provider's default \
            flavor. Flavors too small for the record's image (less ram than its min_ram, a root \
            disk smaller than its min_disk) are left out; when none is left, the error says so. \
            The provider is the record's provider_id, or -p.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var inputOptions: InputOptions

    @Option(name: .customLong("flavor"), help: ArgumentHelp(
        "A flavor property to match, as key=value. Repeat to narrow.", valueName: "key=value"))
    var properties: [String] = []

    @Flag(help: "Emit one record per matching flavor, not only the first.")
    var all = false

    @Flag(help: "Check the options and exit: read no input, contact no cloud.")
    var check = false

    /// Bad properties fail before any input is read.
    func validate() throws {
        _ = try PropertySearch(.flavor, properties)
    }

    func run() throws {
        if check { return }
        let context = ToolContext(store: storeOptions)
        var found: [String: [JSON]] = [:]
        var input = inputOptions.reader()
        while let record = try input.next() {
            let id = try context.providerID(for: record, option: providerOptions.provider)
            // Flavors too small for the record's image (its min_disk and min_ram) are left out.
            let requirement = ImageRequirement(image: record["image"])
            let key = "\(id)\u{0}\(requirement.map { "\($0.minDisk) \($0.minRam)" } ?? "")"
            if found[key] == nil {
                found[key] = try findInCatalog(.flavor, properties: properties, provider: try context.provider(id), store: try context.store, all: all,
                                               requirement: requirement)
            }
            for flavor in found[key]! {
                let out = record.copy()
                out["provider_id"] = JSON(id)
                out["flavor"] = flavor
                RecordWriter.standardOutput.write(out)
            }
        }
    }
}
