import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

/// `provider_id machine_uuid...`: the arguments of the commands that act on machines.
struct MachineArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Argument(help: ArgumentHelp("The machines, by uuid; each counts once.", valueName: "machine_uuid"),
              completion: .custom { StoreCompletion.machines($0, $1, $2) })
    var machines: [String] = []

    func validate() throws {
        try Arguments.provider(provider)
        guard !machines.isEmpty else { throw FabricError.usage("expected provider_id and at least one machine_uuid") }
        _ = try Arguments.machines(machines)
    }

    var uuids: [String] { (try? Arguments.machines(machines)) ?? machines }
}

struct MachineDestroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Destroy machines and their snapshots.",
        discussion: """
            Destroys machines (one or several, all at once): their snapshots, their public \
            addresses, the machines, and the records. --force forgets what the cloud no longer \
            has; --skip_store acts on machines the store does not know. A uuid given twice counts once.

              SNAPSHOTS AND MACHINES | fabric-snapshot destroy [--force] | fabric-store remove
              MACHINES | fabric-destroy [--force] | fabric-store remove
            (the records read from the store in this process, one query each)
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: MachineArguments

    @Flag(name: .spec("force"), help: "Forget the machine even if the cloud cannot destroy it.")
    var force = false

    @Flag(name: .spec("skip_store"), help: "Destroy a machine the store does not know.")
    var skipStore = false

    @OptionGroup var events: EventOptions

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine destroy")
        try EventLog.check(events.events)
        let machines = try porcelain.machineRecords(arguments.provider, arguments.uuids, unstored: skipStore)
        // A member of a named group is drained by the group's before_destroy hook first.
        var byGroup: [(spec: MachineSpec?, machines: [JSON])] = []
        for machine in machines {
            let group = machine["group"]?.string
            let kept = try group.flatMap { name throws(FabricError) in try porcelain.store.group(provider: arguments.provider, name: name) }
            let spec = (kept?["options"]?.items.compactMap(\.string)).flatMap { try? MachineSpec.parse($0) }
            if let index = byGroup.firstIndex(where: { $0.machines.first?["group"]?.string == group && group != nil }) {
                byGroup[index].machines.append(machine)
            } else {
                byGroup.append((spec, [machine]))
            }
        }
        for spec in byGroup.compactMap(\.spec) { try spec.login.exportPassword() }
        // A group's hook is told roles with its login when the password is at hand; without
        // it, the hook runs all the same, its roles unknown.
        if environment("FABRIC_MYSQL_PASSWORD") == nil, let user = byGroup.compactMap(\.spec).first(where: { $0.beforeDestroy != nil })?.login.mysqlUser {
            warn("the before_destroy hook is told no roles: the group logs in as \(user), and $FABRIC_MYSQL_PASSWORD is not set")
            for index in byGroup.indices { byGroup[index].spec?.login.mysqlUser = nil }
        }
        try porcelain.detachIfAsked()
        try porcelain.recordEvents(events.events)
        var status: Int32 = 0
        var output: [UInt8] = []
        for (spec, members) in byGroup {
            let (ended, destroyed) = try MachineRemoval(porcelain: porcelain, provider: arguments.provider, force: force,
                                                        hook: spec?.destroyArguments ?? [])
                .destroy(members, output: porcelain.wantsTable || porcelain.events != nil ? .captured : .standardOutput)
            if status == 0 { status = ended }
            output += destroyed
        }
        let groups = Set(machines.compactMap { $0["group"]?.string })
        porcelain.summarize(provider: arguments.provider, group: groups.count == 1 ? groups.first : nil, output: output, status: status)
        if porcelain.wantsTable || porcelain.events != nil { try porcelain.emit(output, columns: MachineColumns.list) }
        Tool.exit(status)
    }
}

/// Machines destroyed with their snapshots, by two pipelines whose input the porcelain reads
/// from the store once: machine destroy, and the surplus of machine scale.
struct MachineRemoval {
    let porcelain: Porcelain
    let provider: String
    let force: Bool
    /// fabric-destroy's --before-destroy and the login it tells roles with, for a group's members.
    var hook: [String] = []

    func destroy(_ machines: [JSON], output: Pipeline.Output, tick: (() -> Void)? = nil) throws(FabricError) -> (Int32, [UInt8]) {
        let force = self.force ? ["--force"] : []
        let snapshots = Pipeline([porcelain.tool("fabric-snapshot destroy", force), porcelain.tool("fabric-store remove", [])],
                                 records: porcelain.snapshotsAndMachines(provider, machines))
        let first = try porcelain.run(snapshots, output: .discarded, tick: tick)
        if first.status != 0 { return (first.status, []) }
        let destroy = Pipeline([porcelain.tool("fabric-destroy", force + hook + porcelain.eventArguments), porcelain.tool("fabric-store remove", [])],
                               records: machines)
        let outcome = try porcelain.run(destroy, output: output, tick: tick)
        return (outcome.status, outcome.output)
    }
}

struct MachineWait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until machines are ready.",
        discussion: """
            Waits until machines that exist (after a create without --wait_spawning, or a reboot) \
            reach the stages --until names, else those of the provider's ready setting, and \
            records what the cloud says of them; nothing is removed when they do not, and the \
            stages reached keep their times.

              MACHINES | fabric-wait --timeout SECONDS [--until STAGES] [--mysql-user NAME ...] --again
                | fabric-store add                           (without --skip_store)
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: MachineArguments

    @Option(name: .spec("until"), help: ArgumentHelp("The stages, in order of \(ReadyStage.grammar).", valueName: "stages"))
    var until: String?

    @OptionGroup var login: LoginOptions

    @Option(name: .spec("timeout"), help: ArgumentHelp("How long to wait, in seconds (default 600).", valueName: "seconds"))
    var timeout: String?

    @Flag(name: .spec("skip_store"), help: "Wait for machines the store does not know, and record nothing.")
    var skipStore = false

    @OptionGroup var events: EventOptions

    func validate() throws {
        if until?.isEmpty == true { throw FabricError.usage("--until needs stages (\(ReadyStage.grammar)); it was given none") }
        _ = try Arguments.seconds(timeout, option: "--timeout", default: MachineSpec.defaultTimeout)
    }

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine wait")
        try login.exportPassword()
        let wait = ["--timeout=\(timeout ?? "600")"] + (until.map { ["--until=\($0)"] } ?? []) + login.waitArguments
        try checkInProcess(Wait.self, porcelain.storeArguments + ["-p", arguments.provider] + wait + ["--check"])
        try EventLog.check(events.events)
        let machines = try porcelain.machineRecords(arguments.provider, arguments.uuids, unstored: skipStore)
        try porcelain.detachIfAsked()
        try porcelain.recordEvents(events.events)
        var stages = [porcelain.tool("fabric-wait", wait + ["--again"] + porcelain.eventArguments)]
        if !skipStore { stages.append(porcelain.tool("fabric-store add", [])) }
        let outcome = try porcelain.run(Pipeline(stages, records: machines), output: .captured)
        let groups = Set(machines.compactMap { $0["group"]?.string })
        porcelain.summarize(provider: arguments.provider, group: groups.count == 1 ? groups.first : nil, output: outcome.output, status: outcome.status)
        try porcelain.emit(outcome.output, columns: MachineColumns.list)
        Tool.exit(outcome.status)
    }
}

struct MachineList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the machines of a provider.",
        discussion: """
            Lists a provider's machines from the store, or with --skip_store from the provider \
            itself. --refresh asks the provider first (one request for all of them) and records \
            what it says.

              fabric-store list machines -p ID [--group NAME]
                | fabric-list-machines --refresh | fabric-store add   (with --refresh)
              fabric-list-machines -p ID [--group NAME]      (with --skip_store)
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Flag(name: .spec("skip_store"), help: "List what the provider reports, not the store.")
    var skipStore = false

    @Option(name: .spec("group"), help: ArgumentHelp("Only the machines of this group.", valueName: "name"))
    var group: String?

    @Flag(name: .spec("refresh"), help: "Ask the provider for the machines' state now and record it; those it no longer has show GONE.")
    var refresh = false

    func validate() throws {
        try Arguments.provider(provider)
        if let group { try Identifier.group.check(group) }
    }

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine list")
        let filter = group.map { ["--group=\($0)"] } ?? []
        // What the provider reports is its state now: --refresh has nothing to add.
        if skipStore {
            Tool.exit(try porcelain.runShown(Pipeline(porcelain.tool("fabric-list-machines", ["-p", provider] + filter)),
                                             columns: MachineColumns.list))
        }
        _ = try porcelain.store.provider(provider)
        var pipeline = Pipeline(porcelain.tool("fabric-store list", ["machines", "-p", provider] + filter))
        if refresh {
            let roles = try roleArguments(porcelain)
            pipeline = pipeline | porcelain.tool("fabric-list-machines", ["--refresh"] + roles) | porcelain.tool("fabric-store add", [])
        }
        Tool.exit(try porcelain.runShown(pipeline, columns: MachineColumns.list))
    }

    /// The MySQL login the listed groups keep, when they share one: --refresh reads each
    /// member's role with it (the password from its file, in the environment).
    private func roleArguments(_ porcelain: Porcelain) throws(FabricError) -> [String] {
        var names = Set<String>()
        if let group { names.insert(group) } else {
            try porcelain.store.machines(.init(providerID: provider)) { if let name = $0["group"]?.string { names.insert(name) } }
        }
        var specs: [MachineSpec] = []
        for name in names.sorted() {
            let kept = try porcelain.store.group(provider: provider, name: name)?["options"]?.items.compactMap(\.string)
            if let spec = kept.flatMap({ try? MachineSpec.parse($0) }), spec.login.mysqlUser != nil { specs.append(spec) }
        }
        guard let first = specs.first, specs.allSatisfy({ $0.roleArguments == first.roleArguments }) else { return [] }
        guard environment("FABRIC_MYSQL_PASSWORD") != nil else {
            warn("roles not read: the group logs in as \(first.login.mysqlUser!), and $FABRIC_MYSQL_PASSWORD is not set")
            return []
        }
        return first.roleArguments
    }
}

struct MachineProtect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect", abstract: "Protect machines from machine scale.",
        discussion: """
            Marks machines so that machine scale never destroys them (machine destroy still does).

              fabric-store protect -p ID UUID...
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: MachineArguments

    func run() throws { try protect(common, arguments, command: "machine protect", off: false) }
}

struct MachineUnprotect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprotect", abstract: "Let machine scale destroy machines again.",
        discussion: """
            Clears the mark of machine protect.

              fabric-store protect -p ID UUID... --off
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var arguments: MachineArguments

    func run() throws { try protect(common, arguments, command: "machine unprotect", off: true) }
}

private func protect(_ common: CommonOptions, _ arguments: MachineArguments, command: String, off: Bool) throws {
    let porcelain = try Porcelain(common, command: command)
    try porcelain.detachIfAsked()
    let protect = porcelain.tool("fabric-store protect", ["-p", arguments.provider] + (off ? ["--off"] : []) + ["--"] + arguments.uuids)
    Tool.exit(try porcelain.runShown(Pipeline(protect), columns: MachineColumns.list))
}
