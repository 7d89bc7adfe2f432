import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords
import FabricStore
import Glibc

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
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Give up after this many seconds (default 600).", valueName: "seconds"))
    var timeout: Double = 600

    @Option(help: ArgumentHelp("First pause between rounds, in seconds; it grows by half each round (default 0.1).",
                               valueName: "seconds"))
    var interval: Double = 0.1

    @Option(name: .customLong("max-interval"), help: ArgumentHelp("Longest pause between rounds (default 1).", valueName: "seconds"))
    var maxInterval: Double = 1

    @Option(help: ArgumentHelp(
        "What ready means for a machine: stages, in this order, each waited for after the one before: active (the cloud's state), address (the public address asked for), port:N (a TCP connection), cloud-init (its final line in the boot log), mysql[:PORT] (the MySQL handshake; with --mysql-user a login and SELECT 1). Default: the provider's ready setting, else active.",
        valueName: "stages"))
    var until: String?

    @Option(help: ArgumentHelp("Which address port and mysql connect to: auto (the public one when there is one, else the private one), public or private.",
                               valueName: "kind"), completion: .list(AddressChoice.allCases.map(\.rawValue)))
    var address: String = AddressChoice.automatic.rawValue

    @OptionGroup(title: "MySQL login (the mysql stage runs SELECT 1 with it; replica and synced need it)") var mysql: MySQLLoginOptions

    @Option(name: .customLong("fail-pattern"), help: ArgumentHelp(
        "A line of the boot log matching this extended regular expression fails the cloud-init stage at once; may be repeated.",
        valueName: "regex"))
    var failPatterns: [String] = []

    @Option(name: .customLong("stage-timeout"), help: ArgumentHelp(
        "The longest a machine may spend in one stage (cloud-init, mysql:3306, or port for every port); may be repeated.",
        valueName: "stage=seconds"))
    var stageTimeouts: [String] = []

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds a round gives a connection to a machine (default 2).",
                                                                     valueName: "seconds"))
    var connectTimeout: Double = 2

    @Option(name: .customLong("on-ready"), help: ArgumentHelp(
        "Run this command for each machine once its own stages pass (up to mysql), before replica or synced and before it counts; its record on stdin, FABRIC_* in its environment. A bare NAME is a recipe (mariadb-replica). A failure fails the machine.",
        valueName: "command"))
    var onReady: String?

    @Option(name: .customLong("hook-timeout"), help: ArgumentHelp("The longest a hook may run, in seconds (default 600); past it, it is ended and fails the machine.",
                                                                  valueName: "seconds"))
    var hookTimeout: Double = Hook.defaultTimeout

    @Option(help: ArgumentHelp("Append one JSON line per transition to this file (- for standard error): stage, hook_started, hook_ended, role, ready, failed.",
                               valueName: "file"), completion: .file())
    var events: String?

    @Flag(name: .customLong("no-progress"), help: "No progress line on standard error, even on a terminal.")
    var noProgress = false

    @Flag(help: "Check the options and exit: read no input, contact no cloud. With -p and no --until, the provider's ready setting is checked too.")
    var check = false

    @Flag(help: "Wait again for machines whose records say a step failed them (stopped_at.failed), as fabric machine wait does.")
    var again = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw FabricError.usage("--timeout must be a positive number of seconds") }
        guard interval > 0, interval <= 3600 else { throw FabricError.usage("--interval must be from 0 to 3600 seconds") }
        guard maxInterval >= interval, maxInterval <= 3600 else {
            throw FabricError.usage("--max-interval must be at least --interval and at most 3600")
        }
        _ = try readiness()
    }

    /// The readiness the options describe, every one of them checked; the MySQL password is
    /// read only when the wait runs.
    func readiness(readingPassword: Bool = false) throws(FabricError) -> Readiness {
        var readiness = Readiness()
        readiness.stages = try until.map { text throws(FabricError) in try ReadyStage.chain(parsing: text, option: "--until") }
        guard let choice = AddressChoice(rawValue: address) else {
            throw FabricError.usage("--address must be auto, public or private, not \(quoted(address))")
        }
        readiness.address = choice
        guard connectTimeout > 0, connectTimeout <= 60 else { throw FabricError.usage("--connect-timeout must be from 0 to 60 seconds") }
        readiness.connectTimeout = connectTimeout
        readiness.stageLimits = try Readiness.stageLimits(stageTimeouts)
        for pattern in failPatterns { try readiness.bootLog.failOn(pattern) }
        readiness.onReady = try onReady.map { command throws(FabricError) in try Hook(.onReady, command: command, timeout: hookTimeout) }
        if onReady == nil && hookTimeout != Hook.defaultTimeout { _ = try Hook(.onReady, command: "true", timeout: hookTimeout) }
        try EventLog.check(events)
        readiness.login = try mysql.login(readingPassword: readingPassword, timeout: connectTimeout)
        if readiness.login != nil, let stages = readiness.stages { try Readiness.requireMySQLStage(stages, in: "--until \(until ?? "")") }
        if let stages = readiness.stages { try readiness.requireLogin(stages, in: "--until \(until ?? "")") }
        return readiness
    }

    func run() throws {
        if check {
            if until == nil, let id = providerOptions.provider {
                _ = try readiness().stages(for: try Store(storeOptions).provider(id))
            }
            return
        }
        Interruption.install()
        var reader = RecordReader()
        let records = try reader.readAll()
        let writer = RecordWriter.standardOutput
        writer.flushEachRecord = true
        var readiness = try readiness(readingPassword: true)
        readiness.events = try events.map { path throws(FabricError) in try EventLog(path: path, command: "fabric-wait") }
        if !again, let failed = records.first(where: { $0["stopped_at"]?["failed"]?.bool == true }) {
            try passOnWithoutWaiting(records, failed: failed, readiness: readiness, writer: writer)
        }
        var waiter = Waiter(timeout: timeout, interval: interval, maxInterval: maxInterval,
                            showProgress: !noProgress && isTerminal(2))
        waiter.readiness = readiness
        try waiter.wait(for: records, context: ToolContext(store: storeOptions), providerOption: providerOptions.provider) {
            writer.write($0)
        }
    }

    /// A machine that a step before the wait failed (fabric-public-address found no address)
    /// fails the create it belongs to: waiting for it, or for the others, would only hold up
    /// the clean-up. Every record goes on at once, so that fabric-store add keeps them all;
    /// those not failed say they were not waited for.
    private func passOnWithoutWaiting(_ records: [JSON], failed: JSON, readiness: Readiness, writer: RecordWriter) throws(FabricError) {
        let name = "machine \(failed["uuid"]?.string ?? "?")"
        let stage = failed["stopped_at"]?["stage"]?.string ?? "?", reason = failed["stopped_at"]?["reason"]?.string ?? ""
        for record in records {
            if record["stopped_at"] == nil {
                record["stopped_at"] = stoppedAt(stage: readiness.stages?.first?.description ?? ReadyStage.active.description,
                                                 reason: "not waited for: \(name) failed at \(stage) before the wait",
                                                 seconds: 0, failed: false)
            }
            writer.write(record)
        }
        // A step that gave up waiting stays a TimeoutError (exit 5) at the end of the pipeline.
        let kind: FabricError.Kind = failed["stopped_at"]?["timed_out"]?.bool == true ? .timeout : .machine
        throw FabricError(kind, "\(name) failed at \(stage) before the wait\(reason.isEmpty ? "" : ": \(reason)"); nothing was waited for",
                          hint: "fabric-wait --again waits for it all the same")
    }
}
