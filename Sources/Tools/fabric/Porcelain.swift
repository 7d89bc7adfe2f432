import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

extension NameSpecification {
    /// An option of the spec, by its spelling there (`number_machines`, `password-file`) as help
    /// shows it, and by the other spelling too (`number-machines`, `password_file`).
    static func spec(_ name: String) -> NameSpecification {
        let other = String(name.map { $0 == "_" ? "-" : $0 == "-" ? "_" : $0 })
        return other == name ? [.customLong(name)] : [.customLong(name), .customLong(other)]
    }
}

/// The spec's common option: `--synchronous=false` runs a command that changes something as a
/// background job. The porcelain's front (Fabric.arguments) takes the bare `--synchronous` as
/// `=true` and refuses a value that is no boolean in its own words.
enum Synchronous: String, ExpressibleByArgument {
    case finish = "true", detach = "false"

    init?(argument: String) {
        switch argument.lowercased() {
        case "true", "yes", "1": self = .finish
        case "false", "no", "0": self = .detach
        default: return nil
        }
    }
}

/// The options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .spec("store"), help: ArgumentHelp(
        "The state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE; default: $FABRIC_STORE, then the XDG state dir.",
        valueName: "path|url"), completion: .file())
    var store: String?

    @Option(name: .spec("store_password_file"), help: ArgumentHelp(
        "A mysql:// store's password file; default: $FABRIC_STORE_PASSWORD, ~/.my.cnf.", valueName: "file"), completion: .file())
    var storePasswordFile: String?

    /// --json or --table, the last one given (before the group too: `fabric --json machine list`).
    @Flag(exclusivity: .chooseLast) var format: OutputFormat?

    @Option(help: ArgumentHelp(
        "=false (or no, 0): run the command as a background job and print its record at once (see: fabric job); alone or =true (yes, 1): finish before returning, the default. Commands that change nothing always finish first.",
        valueName: "bool"))
    var synchronous: Synchronous = .finish
}

/// `--events FILE` of the commands that change machines: one JSON line per transition (see
/// EventLog), the porcelain's and its tools', appended as they happen.
struct EventOptions: ParsableArguments {
    @Option(name: .spec("events"), help: ArgumentHelp(
        "Append one JSON line per transition to this file (- for standard error): created, stage, hook_started, hook_ended, role, ready, failed, destroying, destroyed, summary.",
        valueName: "file"), completion: .file())
    var events: String?
}

enum OutputFormat: EnumerableFlag {
    case json, table

    static func help(for value: OutputFormat) -> ArgumentHelp? {
        switch value {
        case .json: "Print JSON lines; the default when standard output is no terminal."
        case .table: "Print an aligned table; the default on a terminal."
        }
    }
}

/// What a command that sees the porcelain through: the store (opened once, in this process),
/// how output is shown, the tools' common arguments, and the background job of
/// `--synchronous=false`.
final class Porcelain {
    let common: CommonOptions
    /// The words of the command ("machine create"), as the job list shows it.
    let command: String
    private var openedStore: Store?
    /// `--events FILE`: this command's transitions, and its tools'.
    private(set) var events: EventLog?
    private var eventsPath: String?

    init(_ common: CommonOptions, command: String) throws(FabricError) {
        self.common = common
        self.command = command
        // A file such as <(...) can be read once: read here, it reaches every tool of every
        // pipeline in the environment, never in argv.
        if let file = common.storePasswordFile { setenv("FABRIC_STORE_PASSWORD", try readFirstLine(file), 1) }
        // The tools under the porcelain leave the one line about an interruption to it.
        setenv("FABRIC_PORCELAIN", "1", 1)
    }

    /// Opens the events file (`-`: standard error) and writes the schema line; the tools of
    /// this command's pipelines append to it.
    func recordEvents(_ path: String?) throws(FabricError) {
        guard let path else { return }
        try EventLog.check(path)
        events = try EventLog(path: path, command: command)
        eventsPath = path
    }

    /// `--events=FILE` for a tool that tells its transitions, when they are recorded.
    var eventArguments: [String] { eventsPath.map { ["--events=\($0)"] } ?? [] }

    /// The summary event: the group's members after the command (from the store), what it
    /// made and removed, and how it ended.
    func summarize(provider: String, group: String?, output: [UInt8], status: Int32) {
        guard let events else { return }
        var fields: [String: JSON] = ["status": JSON(Int(status)), "provider_id": JSON(provider)]
        let records = (try? RecordReader.records(in: String(decoding: output, as: UTF8.self), source: "output")) ?? []
        fields["created"] = JSON(records.filter { $0["status"]?.string != "DELETED" }.compactMap { $0["uuid"]?.string })
        fields["destroyed"] = JSON(records.filter { $0["status"]?.string == "DELETED" }.compactMap { $0["uuid"]?.string })
        if let group {
            fields["group"] = JSON(group)
            var members: [String] = []
            try? store.machines(.init(providerID: provider, group: group)) { members.append($0["uuid"]?.string ?? "") }
            fields["members"] = JSON(members)
        }
        events.emit("summary", fields)
    }

    /// `--store=...` for each tool, when one was given.
    var storeArguments: [String] { common.store.map { ["--store=\($0)"] } ?? [] }

    var storeOptions: StoreOptions { Self.storeOptions(common.store) }

    /// The tools' store options for a location (nil: the default), parsed as a tool parses them.
    static func storeOptions(_ location: String?) -> StoreOptions {
        try! StoreOptions.parse(location.map { ["--store=\($0)"] } ?? [])
    }

    /// The store, for lookups and checks made in this process, not by a tool per machine.
    var store: Store {
        get throws(FabricError) {
            if let openedStore { return openedStore }
            let store = try Store(storeOptions, access: .existing)
            openedStore = store
            return store
        }
    }

    var wantsTable: Bool { common.format == .table || (common.format == nil && isTerminal(1)) }

    /// A tool's argv: its name and subcommand ("fabric-store list"), the store, its arguments.
    func tool(_ name: String, _ arguments: [String]) -> [String] {
        name.split(separator: " ").map(String.init) + storeArguments + arguments
    }

    /// The pipeline with the table stage a terminal gets (or --table asks for).
    func shown(_ pipeline: Pipeline, columns: String) -> Pipeline {
        wantsTable ? pipeline | (["fabric-table"] + (columns.isEmpty ? [] : ["--columns=\(columns)"])) : pipeline
    }

    /// Runs a pipeline whose output is the command's; its status becomes the command's.
    func runShown(_ pipeline: Pipeline, columns: String) throws(FabricError) -> Int32 {
        try run(shown(pipeline, columns: columns)).status
    }

    /// Runs a pipeline; `--verbose` (FABRIC_DEBUG) shows it first.
    func run(_ pipeline: Pipeline, output: Pipeline.Output = .standardOutput, tick: (() -> Void)? = nil)
        throws(FabricError) -> Pipeline.Outcome {
        if environment("FABRIC_DEBUG") != nil { warn("running: \(pipeline)") }
        return try pipeline.run(output: output, tick: tick)
    }

    /// Prints records a command gathered, as a table or JSON lines.
    func emit(_ records: [UInt8], columns: String) throws(FabricError) {
        if wantsTable {
            _ = try run(Pipeline(["fabric-table"] + (columns.isEmpty ? [] : ["--columns=\(columns)"]), input: records))
            return
        }
        RecordWriter.standardOutput.flush()
        writeFully(1, records)
    }

    /// The stored record of each machine; a machine the store does not know is a MachineError,
    /// or with `unstored` a bare record (provider and uuid) for the cloud to act on.
    func machineRecords(_ provider: String, _ uuids: [String], unstored: Bool) throws(FabricError) -> [JSON] {
        var records: [JSON] = []
        let store = unstored ? try? self.store : try self.store
        if !unstored { _ = try store?.provider(provider) }
        for uuid in uuids {
            if let record = try store?.machine(provider: provider, uuid: uuid) {
                records.append(record)
            } else if unstored {
                records.append(JSON(["kind": JSON("machine"), "provider_id": JSON(provider), "uuid": JSON(uuid)]))
            } else {
                throw FabricError.machine("machine \(quoted(uuid)) is not in the store for provider \(quoted(provider))",
                                          hint: "see: fabric machine list \(provider)")
            }
        }
        return records
    }

    /// The stored snapshots of each machine, then the machine: what fabric-snapshot destroy reads.
    func snapshotsAndMachines(_ provider: String, _ machines: [JSON]) -> [JSON] {
        // One query for the provider's snapshots, not one per machine.
        let snapshots = (try? store.snapshots(provider: provider, machine: nil)) ?? []
        return machines.flatMap { machine -> [JSON] in
            let uuid = machine["uuid"]?.string
            return snapshots.filter { $0["machine_uuid"]?.string == uuid } + [machine]
        }
    }

    // MARK: background jobs

    /// With `--synchronous=false`, once every check has passed: runs the command again as a
    /// background job (fabric-job start) and prints the job's record, then ends this process.
    /// The job's words are this command's without the options that name secrets; a secret
    /// reaches the job in its environment, so neither the job list nor ps shows it.
    func detachIfAsked(words: [String]? = nil) throws(FabricError) {
        guard common.synchronous == .detach else { return }
        let words = words ?? Fabric.jobWords()
        let shown = words.dropFirst(command.split(separator: " ").count).map(shellWord).joined(separator: " ")
        let job = tool("fabric-job start", ["--command=\(command)\(shown.isEmpty ? "" : " " + shown)", "--",
                                      Spawn.thisExecutable(), "fabric", "--json"] + words)
        Tool.exit(try runShown(Pipeline(job), columns: JobColumns.list))
    }
}

/// What each listing shows as a table.
enum MachineColumns { static let list = "uuid,name,status,av_zone,addresses,group,role,protected" }
enum SnapshotColumns { static let list = "id,name,machine_uuid,status" }
enum JobColumns { static let list = "job,state,exit_status,host,started,command" }
enum ProviderColumns { static let list = "provider_id,type,username,url,tenant,default_image,default_flavor" }

/// A tool's own check (its `--check`), run in this process: no process started, and its error
/// in the porcelain's words (`fabric: UsageError: --number_machines ...`, never `fabric-boot:`).
/// `renamed` maps the tool's option names to the porcelain's where they differ by more than
/// dashes (fabric-boot's --number is --number_machines).
func checkInProcess<Tool: ParsableCommand>(_ tool: Tool.Type, _ arguments: [String], renamed: [String: String] = [:])
    throws(FabricError) {
    do {
        var command = try Tool.parse(arguments)
        try command.run()
    } catch let error as FabricError {
        throw FabricError(error.kind, porcelainWords(error.message, renamed), hint: error.hint.map { porcelainWords($0, renamed) })
    } catch {
        if let wrapped = Tool.wrappedFabricError(in: error) {
            throw FabricError(wrapped.kind, porcelainWords(wrapped.message, renamed), hint: wrapped.hint.map { porcelainWords($0, renamed) })
        }
        let message = Tool.message(for: error)
        throw FabricError.usage(porcelainWords(String(message.split(separator: "\n").first ?? ""), renamed))
    }
}

/// A tool's message with its option names as the porcelain spells them: `--key-name` as
/// `--key_name`, and the renamed ones.
func porcelainWords(_ message: String, _ renamed: [String: String]) -> String {
    var result = ""
    var rest = Substring(message)
    while !rest.isEmpty {
        guard rest.hasPrefix("--") else {
            result.append(rest.removeFirst())
            continue
        }
        rest = rest.dropFirst(2)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        rest = rest.dropFirst(name.count)
        result += renamed["--" + name] ?? "--" + String(name.map { $0 == "-" ? "_" : $0 })
    }
    return result
}
