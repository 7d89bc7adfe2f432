import ArgumentParser
import FabricCLI
import FabricRecords

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-wait",
        abstract: "Wait until machines (or snapshots) are ready, or fail clearly.",
        discussion: """
            Reads machine and snapshot records and prints each one, updated (status, addresses, \
            av_zone), as soon as it is ACTIVE (a snapshot: active). Each round asks each provider \
            once about all of its pending records. A machine that goes to ERROR fails the wait \
            with the provider's reason; so does --timeout. Progress goes to standard error when \
            it is a terminal.
            """,
        version: fabricVersion)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Give up after this many seconds (default 600).", valueName: "seconds"))
    var timeout: Double = 600

    @Option(help: ArgumentHelp("First pause between rounds, in seconds; it grows by half each round (default 0.1).",
                               valueName: "seconds"))
    var interval: Double = 0.1

    @Option(name: .customLong("max-interval"), help: ArgumentHelp("Longest pause between rounds (default 1).", valueName: "seconds"))
    var maxInterval: Double = 1

    @Flag(name: .customLong("no-progress"), help: "No progress line on standard error, even on a terminal.")
    var noProgress = false

    @Flag(help: "Check the options and exit: read no input, contact no cloud.")
    var check = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw FabricError.usage("--timeout must be a positive number of seconds") }
        guard interval > 0, interval <= 3600 else { throw FabricError.usage("--interval must be from 0 to 3600 seconds") }
        guard maxInterval >= interval, maxInterval <= 3600 else {
            throw FabricError.usage("--max-interval must be at least --interval and at most 3600")
        }
    }

    func run() throws {
        if check { return }
        Interruption.install()
        var reader = RecordReader()
        let records = try reader.readAll()
        let writer = RecordWriter.standardOutput
        writer.flushEachRecord = true
        let waiter = Waiter(timeout: timeout, interval: interval, maxInterval: maxInterval,
                            showProgress: !noProgress && isTerminal(2))
        try waiter.wait(for: records, context: ToolContext(store: storeOptions), providerOption: providerOptions.provider) {
            writer.write($0)
        }
    }
}
