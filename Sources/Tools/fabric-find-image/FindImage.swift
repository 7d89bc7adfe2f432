import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct FindImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-find-image",
        abstract: "Find the image (golden image or snapshot) to boot from.",
        discussion: """
            Prints one record {"provider_id":..., "image":{...}} for the image whose properties \
            equal every --image key=value (keys: name, id, mindisk/min_disk, minram/min_ram, status, \
            and any other image property). Without --image, the provider's default image. When \
            several match, the first by name is used and a warning names the others.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("image"), help: ArgumentHelp(
        "An image property to match, as key=value. Repeat to narrow.", valueName: "key=value"))
    var properties: [String] = []

    @Flag(help: "Print every matching image, not only the first.")
    var all = false

    @Flag(help: "Check the options and exit: contact no cloud.")
    var check = false

    func validate() throws {
        _ = try PropertySearch(.image, properties)
    }

    func run() throws {
        if check { return }
        guard let id = providerOptions.provider else { throw FabricError.usage("-p ID is required") }
        let context = ToolContext(store: storeOptions)
        let provider = try context.provider(id)
        for image in try findInCatalog(.image, properties: properties, provider: provider, store: nil, all: all) {
            RecordWriter.standardOutput.write(JSON(["provider_id": JSON(id), "image": image]))
        }
    }
}
