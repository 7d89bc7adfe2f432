import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

/// `provider_id machine_uuid`: the arguments of the snapshot commands.
struct SnapshotArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Argument(help: ArgumentHelp("The machine.", valueName: "machine_uuid"), completion: .custom { StoreCompletion.machines($0, $1, $2) })
    var machine: String

    func validate() throws {
        try Arguments.provider(provider)
        try Identifier.machine.check(machine)
    }
}

struct SnapshotCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Snapshot a machine.",
        discussion: """
            Snapshots an ACTIVE machine and records the snapshot; --wait_spawning waits until it \
            is active. Interrupted, it destroys the snapshot it made.

              MACHINE | fabric-snapshot create [--wait --timeout SECONDS] [--name NAME] | fabric-store add
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: SnapshotArguments

    @Flag(name: .spec("wait_spawning"), help: "Wait until the snapshot is active.")
    var waitSpawning = false

    @Option(name: .spec("timeout"), help: ArgumentHelp("How long to wait, in seconds (default 600).", valueName: "seconds"))
    var timeout: String?

    @Flag(name: .spec("skip_store"), help: "Snapshot a machine the store does not know.")
    var skipStore = false

    @Option(name: .spec("name"), help: ArgumentHelp("The snapshot's name.", valueName: "name"))
    var name: String?

    func validate() throws { _ = try Arguments.seconds(timeout, option: "--timeout", default: MachineSpec.defaultTimeout) }

    func run() throws {
        let porcelain = try Porcelain(common, command: "snapshot create")
        let machine = try porcelain.machineRecords(arguments.provider, [arguments.machine], unstored: skipStore)
        try porcelain.detachIfAsked()
        var options = waitSpawning ? ["--wait", "--timeout=\(timeout ?? "600")"] : []
        if let name { options.append("--name=\(name)") }
        Interruption.install()
        let create = Pipeline([porcelain.tool("fabric-snapshot create", options), porcelain.tool("fabric-store add", [])], records: machine)
        let outcome = try porcelain.run(create, output: .captured)
        if outcome.interruptedBy != 0 {
            // fabric-snapshot removes a snapshot it made and did not print; what reached the store goes here.
            Interruption.cleaningUp {
                if !outcome.output.isEmpty {
                    let destroy = Pipeline([porcelain.tool("fabric-snapshot destroy", ["--force"]), porcelain.tool("fabric-store remove", [])],
                                           input: outcome.output)
                    _ = try? porcelain.run(destroy, output: .discarded)
                }
            }
            warn("interrupted: " + (outcome.output.isEmpty ? "no snapshot was kept" : "removed the snapshot this create made"))
            Tool.exit(128 + outcome.interruptedBy)
        }
        if outcome.status != 0 { Tool.exit(outcome.status) }
        try porcelain.emit(outcome.output, columns: SnapshotColumns.list)
    }
}

struct SnapshotDestroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Destroy the snapshots of a machine.",
        discussion: """
            Destroys every snapshot of a machine, in the store and at the provider.

              SNAPSHOTS AND MACHINE | fabric-snapshot destroy [--force] | fabric-store remove
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: SnapshotArguments

    @Flag(name: .spec("skip_store"), help: "Act on a machine the store does not know.")
    var skipStore = false

    @Flag(name: .spec("force"), help: "Forget snapshots the cloud no longer has.")
    var force = false

    func run() throws {
        let porcelain = try Porcelain(common, command: "snapshot destroy")
        let machine = try porcelain.machineRecords(arguments.provider, [arguments.machine], unstored: skipStore)
        try porcelain.detachIfAsked()
        let destroy = Pipeline([porcelain.tool("fabric-snapshot destroy", force ? ["--force"] : []), porcelain.tool("fabric-store remove", [])],
                               records: porcelain.snapshotsAndMachines(arguments.provider, machine))
        Tool.exit(try porcelain.runShown(destroy, columns: SnapshotColumns.list))
    }
}

/// `job_id`: the argument of the job commands.
struct JobArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The job, by the number fabric job list shows.", valueName: "job_id"),
              completion: .custom { StoreCompletion.jobs($0, $1, $2) })
    var job: String

    func validate() throws { try Identifier.job.check(job) }
}

struct JobList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the background jobs.",
        discussion: """
            Lists the jobs of --synchronous=false of every host that shares the store, oldest \
            first. A running job of this host whose processes are gone (kill -9, a restart) is \
            recorded lost.

              fabric-job list [--state STATE]
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .spec("state"), help: ArgumentHelp("Only jobs in this state: running, succeeded, failed, cancelled or lost.",
                                                     valueName: "state"),
            completion: .list(["running", "succeeded", "failed", "cancelled", "lost"]))
    var state: String?

    func run() throws {
        let porcelain = try Porcelain(common, command: "job list")
        let list = porcelain.tool("fabric-job list", state.map { ["--state=\($0)"] } ?? [])
        Tool.exit(try porcelain.runShown(Pipeline(list), columns: JobColumns.list))
    }
}

struct JobShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a job, its command's output and stderr.",
        discussion: """
            Shows a job: its command, host, state, exit status and times, and once it has ended \
            what its command printed (output records and standard error; on a terminal as tables \
            under the job).

              fabric-job show ID
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var argument: JobArgument

    func run() throws {
        let porcelain = try Porcelain(common, command: "job show")
        let show = porcelain.tool("fabric-job show", ["--", argument.job])
        guard porcelain.wantsTable else { Tool.exit(try porcelain.run(Pipeline(show)).status) }
        let job = try porcelain.run(Pipeline(show) | ["fabric-table", "--columns=\(JobColumns.list),ended"])
        if job.status != 0 { Tool.exit(job.status) }
        // Under the job, on a terminal: its command's output records, then its standard error.
        let output = try porcelain.run(Pipeline(porcelain.tool("fabric-job show", ["--output", "--", argument.job])), output: .captured)
        if !output.output.isEmpty {
            print("")
            _ = try porcelain.run(Pipeline(["fabric-table"], input: output.output))
        }
        let errors = try porcelain.run(Pipeline(porcelain.tool("fabric-job show", ["--stderr", "--", argument.job])), output: .captured)
        let text = String(decoding: errors.output, as: UTF8.self)
        if !text.isEmpty { print("\nSTDERR\n" + text, terminator: text.hasSuffix("\n") ? "" : "\n") }
        Tool.exit(errors.status)
    }
}

struct JobWait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until a job ends, and exit as its command did.",
        discussion: """
            Waits until the job ends, prints its command's output records and standard error as \
            the command would have, and exits with its exit status (a lost job: 1). Interrupting \
            the wait leaves the job running.

              fabric-job wait [--timeout SECONDS] ID
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var argument: JobArgument

    @Option(name: .spec("timeout"), help: ArgumentHelp(
        "Give up after this many seconds (TimeoutError); default: as long as the job runs.", valueName: "seconds"))
    var timeout: String?

    func validate() throws { _ = try Arguments.seconds(timeout, option: "--timeout", default: 1) }

    func run() throws {
        let porcelain = try Porcelain(common, command: "job wait")
        let wait = porcelain.tool("fabric-job wait", ["--timeout=\(timeout ?? "0")", "--", argument.job])
        Tool.exit(try porcelain.runShown(Pipeline(wait), columns: ""))
    }
}

struct JobCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Stop a running job; its command removes what it made.",
        discussion: """
            Sends SIGTERM to the job's processes, so its command cleans up as after Ctrl-C \
            (machine create removes the machines it made), waits for that, and shows the job, \
            now cancelled. A job runs on one host: cancelling it from another is a usage error \
            naming that host. A job that has already ended is left as it is (exit 0).

              fabric-job cancel [--timeout SECONDS] ID
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var argument: JobArgument

    @Option(name: .spec("timeout"), help: ArgumentHelp(
        "Give up waiting for the clean-up after this many seconds (TimeoutError); default: as long as it takes.", valueName: "seconds"))
    var timeout: String?

    func validate() throws { _ = try Arguments.seconds(timeout, option: "--timeout", default: 1) }

    func run() throws {
        let porcelain = try Porcelain(common, command: "job cancel")
        let cancel = porcelain.tool("fabric-job cancel", ["--timeout=\(timeout ?? "0")", "--", argument.job])
        Tool.exit(try porcelain.runShown(Pipeline(cancel), columns: JobColumns.list))
    }
}
