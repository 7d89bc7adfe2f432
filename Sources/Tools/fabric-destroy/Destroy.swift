import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords
import FabricStore

struct Destroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-destroy",
        abstract: "Destroy machines and release their public addresses.",
        discussion: """
            Destroys the machines named on the command line (with -p) or by machine records on \
            standard input, all at once: their public addresses are released (those the cloud \
            reports and those the records name), every machine is deleted, then all are waited \
            for together. It prints the record of each machine \
            destroyed with status DELETED, ready for `fabric-store remove`. A machine that \
            cannot be destroyed is not printed, so the store keeps it; the exit status says so. \
            A machine whose address the cloud fails to release is kept whole, so the address \
            is not left unrecorded. With --force, a machine the provider no longer has (or fails \
            to delete) is printed anyway, with a warning, so its record can be forgotten, and one \
            whose address stays is deleted anyway, the warning naming the address. The whole \
            input is read and checked before the first machine is destroyed.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var machines: MachineInput

    @Flag(help: "Print machines the provider could not destroy too, so their records are removed; destroy a machine whose --before-destroy hook failed.")
    var force = false

    @Option(name: .customLong("before-destroy"), help: ArgumentHelp(
        "Run this command for each machine before it is destroyed (to drain it, stop its replication); its record on stdin, FABRIC_* in its environment; a bare NAME is a recipe (mariadb-replica). A machine whose hook fails is not destroyed.",
        valueName: "command"))
    var beforeDestroy: String?

    @Option(name: .customLong("hook-timeout"), help: ArgumentHelp("The longest the hook may run, in seconds (default 600).", valueName: "seconds"))
    var hookTimeout: Double = Hook.defaultTimeout

    @Option(help: ArgumentHelp("Append a JSON line to this file (- for standard error) for each transition: hook_started, hook_ended, destroying, destroyed.",
                               valueName: "file"), completion: .file())
    var events: String?

    @OptionGroup(title: "MySQL login (the hook is told each machine's role and the group's primary)") var mysql: MySQLLoginOptions

    @Option(name: .customLong("mysql-port"), help: ArgumentHelp("The port of the machines' MySQL (default 3306).", valueName: "port"))
    var mysqlPort: Int = ReadyStage.mysqlDefaultPort

    @Option(help: ArgumentHelp("Which address roles are read at: auto, public or private.", valueName: "kind"),
            completion: .list(AddressChoice.allCases.map(\.rawValue)))
    var address: String = AddressChoice.automatic.rawValue

    func validate() throws {
        _ = try hook()
        _ = try mysql.login(readingPassword: false, timeout: 2)
        guard (1...65535).contains(mysqlPort) else { throw FabricError.usage("--mysql-port must be from 1 to 65535") }
        guard AddressChoice(rawValue: address) != nil else { throw FabricError.usage("--address must be auto, public or private, not \(quoted(address))") }
        try EventLog.check(events)
    }

    func hook() throws(FabricError) -> Hook? {
        if beforeDestroy == nil && hookTimeout != Hook.defaultTimeout { _ = try Hook(.beforeDestroy, command: "true", timeout: hookTimeout) }
        return try beforeDestroy.map { command throws(FabricError) in try Hook(.beforeDestroy, command: command, timeout: hookTimeout) }
    }

    func run() throws {
        Interruption.install()
        let context = ToolContext(store: storeOptions)
        // Not a streaming filter: destroying is irreversible, so every record (and its
        // provider) is checked before the first machine goes.
        var targets: [DestroyTarget] = []
        for record in try machines.records(provider: providerOptions.provider) {
            let uuid = try record.requiredString("uuid", in: "machine record")
            try Identifier.machine.check(uuid)
            let provider = try context.provider(try context.providerID(for: record, option: providerOptions.provider))
            targets.append(DestroyTarget(record: record, id: uuid, provider: provider))
        }
        let events = try self.events.map { path throws(FabricError) in try EventLog(path: path, command: "fabric-destroy") }
        var drained: [String] = []
        if let hook = try hook() {
            (targets, drained) = try drain(targets, hook: hook, events: events)
        }
        try Destruction(force: force, kind: .machine, noun: "machine", deletedStatus: "DELETED", events: events)
            .run(targets, deleteAll: { (provider, batch) throws(FabricError) in
                let failures = try provider.destroy(batch.map { MachineRef(uuid: $0.id, publicAddresses: $0.record.strings("public_addresses")) },
                                                    force: force)
                releasePlacement(of: batch.filter { failures[$0.id] == nil }, provider: provider)
                return failures
            })
        if !drained.isEmpty {
            throw FabricError.machine("\(drained.count) machine\(drained.count == 1 ? "" : "s") not destroyed, as their before_destroy hook failed: \(drained.joined(separator: ", "))",
                                      hint: "see the hook's output above; --force destroys them all the same")
        }
    }

    /// The server or placement groups of spread groups this call may have emptied go with their
    /// last member; the machines are gone either way, so a failure here is a warning.
    private func releasePlacement(of destroyed: [DestroyTarget], provider: any Provider) {
        let groups = Set(destroyed.filter { SpreadTag($0.record["spread"]?.string)?.policy.placesByHost == true }
            .compactMap { $0.record["group"]?.string })
        guard !groups.isEmpty else { return }
        do {
            try provider.releasePlacement(groups: groups.sorted())
        } catch {
            warn("the machines are destroyed, but the spread of group\(groups.count == 1 ? "" : "s") \(groups.sorted().joined(separator: ", ")) was not released: \(error.message)")
        }
    }

    /// Runs the before_destroy hook of every target at once and waits for them all; a machine
    /// whose hook fails (or runs past its time) is not destroyed, unless --force.
    private func drain(_ targets: [DestroyTarget], hook: Hook, events: EventLog?) throws(FabricError) -> (kept: [DestroyTarget], failed: [String]) {
        let login = try mysql.login(readingPassword: true, timeout: 2)
        let choice = AddressChoice(rawValue: address)!
        var contexts: [String: Hook.Context] = [:]
        var byProvider: [String: [DestroyTarget]] = [:]
        for target in targets { byProvider[target.provider.record.id, default: []].append(target) }
        for (_, batch) in byProvider {
            let provider = batch[0].provider
            let groups = Set(batch.compactMap { $0.record["group"]?.string })
            var members: [Machine] = []
            var roles: [String: (address: String, member: MySQLMember)] = [:]
            if let login, !groups.isEmpty {
                members = try provider.listMachines().filter { $0.group.map(groups.contains) ?? false }
                roles = MemberRoles(login: login, port: mysqlPort, address: choice).read(members, provider: provider)
            }
            for target in batch {
                let group = target.record["group"]?.string ?? ""
                let primary = MemberRoles.primary(of: members.filter { $0.group == group }, in: roles)
                contexts[target.id] = Hook.Context(
                    group: group, role: roles[target.id]?.member.role.rawValue ?? target.record["role"]?.string ?? MySQLMember.Role.unknown.rawValue,
                    machineAddress: roles[target.id]?.address ?? target.record.strings("addresses").first ?? "",
                    primaryAddress: primary.flatMap { roles[$0.uuid]?.address }, mysqlPort: mysqlPort,
                    login: login.map { Hook.MySQLLoginSecret(user: $0.user, password: $0.password) })
            }
        }
        var running: [(target: DestroyTarget, hook: Hook.Running)] = []
        var failed: [String] = []
        for target in targets {
            events?.hookStarted(target.id, hook)
            running.append((target, try hook.start(record: target.record, uuid: target.id, context: contexts[target.id]!)))
        }
        var kept: [DestroyTarget] = []
        for (target, process) in running {
            let status = process.wait()
            events?.hookEnded(target.id, process, status: status)
            try Interruption.check()
            if status == 0 {
                kept.append(target)
                continue
            }
            let why = status.map { "exited with status \($0)" } ?? "ran past --hook-timeout \(formatSeconds(hook.timeout)) and was ended"
            if force {
                warn("--force: destroying machine \(target.id) although its before_destroy hook \(why)")
                kept.append(target)
            } else {
                warn("machine \(target.id) is not destroyed: its before_destroy hook \(quoted(hook.command)) \(why)")
                failed.append(target.id)
            }
        }
        return (kept, failed)
    }
}
