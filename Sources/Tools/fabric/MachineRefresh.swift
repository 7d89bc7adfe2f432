import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

struct MachineRefresh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "Roll a group to new options (a new golden image): new members before old, replicas first, the primary last.",
        discussion: """
            Replaces every member of a group made with other options than the group's (with \
            the machine create options given here put in their place, which the group then \
            keeps) by a member made with them. New before old: --surge K new members are made \
            and ready (every stage, their on_ready hook) before the K they replace are drained \
            (before_destroy) and destroyed, so the group never has fewer ready members than \
            before. With the group's MySQL login, replicas go first and the primary last, \
            through --switchover CMD (its stdin the old and the new primary's records); without \
            a switchover the refresh stops before the primary (exit status 3) and never destroys \
            a member that is still the primary. Without a login the order is by age.

            Safe to stop and start again: it holds the group's lock (as machine scale does), \
            and each member it makes says whom it replaces (meta fabric_replaces) and what it \
            was made of (meta fabric_spec), so a refresh killed at any point and run again goes \
            on where it was: a new member found ready has its old one destroyed, one found half \
            made is destroyed and made again, and members already made with the new options \
            are skipped. --pause_after K stops after K replacements; the same command goes on.

              (the group's kept options, overridden by those given, kept again)
              (the lock scale/ID/GROUP, held while the rest runs)
              repeat: fabric-list-machines -p ID --group GROUP [--mysql-user ...]   (members, roles)
                      machine create's pipeline with --number_machines K --meta fabric_replaces=...
                      [--switchover CMD]                 (the primary's turn)
                      machine destroy's pipelines        (the members replaced)
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Argument(help: ArgumentHelp("The group, made by machine create --group.", valueName: "group"),
              completion: .custom { StoreCompletion.groups($0, $1, $2) })
    var group: String

    @Option(name: .spec("surge"), parsing: .unconditional, help: ArgumentHelp("How many members to make (and replace) at a time (default 1, at most 6).", valueName: "k"))
    var surge: Int = 1

    @Option(name: .spec("switchover"), parsing: .unconditional, help: ArgumentHelp(
        "Run this command to hand the primary over to its replacement (stdin: the old and the new primary's records); a bare NAME is a recipe (mariadb-replica).",
        valueName: "command"))
    var switchover: String?

    @Option(name: .spec("pause_after"), parsing: .unconditional, help: ArgumentHelp("Stop after this many replacements; run the same command again to go on.", valueName: "k"))
    var pauseAfter: Int?

    @OptionGroup(title: "Options of machine create, the group's new options") var spec: MachineSpec

    @OptionGroup var events: EventOptions

    /// The exit status of a refresh that stopped before the primary for want of a switchover.
    static let stoppedBeforePrimary: Int32 = 3

    func validate() throws {
        try Arguments.provider(provider)
        try Identifier.group.check(group)
        guard (1...6).contains(surge) else { throw FabricError.usage("--surge must be from 1 to 6, not \(surge)") }
        if let pauseAfter, pauseAfter < 1 { throw FabricError.usage("--pause_after must be at least 1, not \(pauseAfter)") }
    }

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine refresh")
        try EventLog.check(events.events)
        let target = try MachineSpec.ofGroup(group, provider: provider, store: porcelain.store, overriddenBy: spec)
        try target.login.exportPassword()
        let creation = Creation(porcelain: porcelain, provider: provider, spec: target, count: surge, group: group, skipStore: false)
        try creation.check()
        let hookTimeout = try Arguments.seconds(target.hookTimeout, option: "--hook_timeout", default: Hook.defaultTimeout)
        var handover: Hook?
        if let switchover {
            do { handover = try Hook(.switchover, command: switchover, timeout: hookTimeout) } catch {
                throw FabricError(error.kind, porcelainWords(error.message, Creation.renamed), hint: error.hint)
            }
        }
        try porcelain.detachIfAsked()
        try porcelain.recordEvents(events.events)
        let timeout = try Arguments.seconds(target.timeout, option: "--timeout", default: MachineSpec.defaultTimeout)
        let lock = try ScaleLock(store: porcelain.store, name: "scale/\(provider)/\(group)", wait: timeout)
        defer { lock.release() }
        // The group keeps the new options at once: a refresh run again without them goes on.
        try porcelain.store.saveGroupOptions(provider: provider, group: group, options: target.kept)
        var rolling = Rolling(porcelain: porcelain, provider: provider, group: group, spec: target, digest: target.digest,
                              surge: surge, switchover: handover, lock: lock)
        let status = try rolling.run(pauseAfter: pauseAfter)
        porcelain.summarize(provider: provider, group: group, output: rolling.output, status: status)
        try porcelain.emit(rolling.output, columns: MachineColumns.list)
        Tool.exit(status)
    }
}

/// One refresh's steps, each read again from the cloud and the store, so that a refresh killed
/// between any two of them goes on where it was.
struct Rolling {
    let porcelain: Porcelain
    let provider: String
    let group: String
    let spec: MachineSpec
    let digest: String
    let surge: Int
    let switchover: Hook?
    let lock: ScaleLock
    /// The records of the members made and destroyed.
    var output: [UInt8] = []
    var replaced = 0

    mutating func run(pauseAfter: Int?) throws(FabricError) -> Int32 {
        while true {
            let members = try listMembers()
            let stored = try storedRecords()
            let outdated = members.filter { $0["meta"]?[Creation.specTag]?.string != digest }
            let current = members.filter { $0["meta"]?[Creation.specTag]?.string == digest }
            // What a refresh before this one left half done: new members made for old ones.
            if try finishEarlierStep(current: current, outdated: outdated, stored: stored) { continue }
            if outdated.isEmpty {
                warn("group \(group): every member is made with the group's options (\(members.count) members, \(replaced) replaced)")
                return 0
            }
            if let pauseAfter, replaced >= pauseAfter {
                warn("group \(group): paused after \(replaced) replacement\(replaced == 1 ? "" : "s"), \(outdated.count) to go; run the same command again to go on")
                porcelain.events?.emit("paused", ["group": JSON(group), "replaced": JSON(replaced), "left": JSON(outdated.count)])
                return 0
            }
            // Replicas (and members that do not answer) first, oldest first; the primary last.
            let byAge = outdated.sorted { ($0["created"]?.string ?? "", $0["name"]?.string ?? "") < ($1["created"]?.string ?? "", $1["name"]?.string ?? "") }
            let others = byAge.filter { $0["role"]?.string != "primary" }
            if !others.isEmpty {
                try replace(Array(others.prefix(surge)))
                continue
            }
            let primary = byAge[0]
            guard let switchover else {
                warn("group \(group): stopped before its primary \(primary["uuid"]?.string ?? "?") (\(primary["addresses"]?.items.first?.string ?? "?")), the last member made otherwise: give --switchover CMD (the mariadb-replica recipe has one) to replace it")
                return MachineRefresh.stoppedBeforePrimary
            }
            try replacePrimary(primary, members: members, switchover: switchover)
        }
    }

    /// The group's live members as the provider lists them, with roles when it has a login.
    private func listMembers() throws(FabricError) -> [JSON] {
        let listed = try porcelain.run(Pipeline(porcelain.tool("fabric-list-machines", ["-p", provider, "--group", group] + spec.roleArguments)),
                                       output: .captured, tick: lock.renew)
        if listed.status != 0 { throw FabricError.machine("listing group \(group) failed (status \(listed.status))") }
        return try RecordReader.records(in: String(decoding: listed.output, as: UTF8.self), source: "fabric-list-machines")
            .filter { !["DELETED", "ERROR", "SOFT_DELETED", "GONE"].contains($0["status"]?.string ?? "") }
    }

    private func storedRecords() throws(FabricError) -> [String: JSON] {
        var records: [String: JSON] = [:]
        try porcelain.store.machines(.init(providerID: provider, group: group)) { records[$0["uuid"]?.string ?? ""] = $0 }
        return records
    }

    /// A batch of new members that names the old ones it replaces: all of them stored and ready,
    /// the old ones go now; otherwise the batch was cut short, and goes. True when it acted.
    private mutating func finishEarlierStep(current: [JSON], outdated: [JSON], stored: [String: JSON]) throws(FabricError) -> Bool {
        let outdatedIDs = Set(outdated.compactMap { $0["uuid"]?.string })
        var batches: [String: [JSON]] = [:]
        for member in current where member["meta"]?[Creation.replacesTag] != nil {
            batches[member["batch"]?.string ?? "", default: []].append(member)
        }
        for (_, batch) in batches.sorted(by: { $0.key < $1.key }) {
            let replaces = (batch[0]["meta"]?[Creation.replacesTag]?.string ?? "").split(separator: ",").map(String.init)
            let left = replaces.filter(outdatedIDs.contains)
            if left.isEmpty { continue }
            // Stored is made: a create stores its machines last, once ready when it waits.
            let ready = batch.allSatisfy { member in
                guard let record = stored[member["uuid"]?.string ?? ""] else { return false }
                return !spec.waits || (record["ready"] != nil && record["stopped_at"] == nil)
            }
            if ready && batch.count == replaces.count {
                warn("group \(group): \(batch.count) new member\(batch.count == 1 ? "" : "s") already ready for \(left.joined(separator: ",")): destroying what they replace")
                try destroy(left, drain: true)
                replaced += left.count
            } else {
                warn("group \(group): removing \(batch.count) new member\(batch.count == 1 ? "" : "s") an interrupted refresh left half made")
                try destroy(batch.compactMap { $0["uuid"]?.string }, drain: false)
            }
            return true
        }
        return false
    }

    /// New members for these, ready (or the create fails and removes them), then these go.
    private mutating func replace(_ old: [JSON]) throws(FabricError) {
        let uuids = old.compactMap { $0["uuid"]?.string }
        porcelain.events?.emit("replacing", ["group": JSON(group), "old": JSON(uuids)])
        var creation = Creation(porcelain: porcelain, provider: provider, spec: spec, count: old.count, group: group, skipStore: false)
        creation.replaces = uuids
        output += try creation.run(tick: lock.renew)
        try destroy(uuids, drain: true)
        replaced += uuids.count
        warn("group \(group): replaced \(uuids.joined(separator: ","))")
    }

    /// The primary's turn: its replacement made (a replica of it), the switchover hands the
    /// primary over, then the old one goes; a switchover that fails leaves the old primary.
    private mutating func replacePrimary(_ primary: JSON, members: [JSON], switchover: Hook) throws(FabricError) {
        let uuid = primary["uuid"]?.string ?? ""
        porcelain.events?.emit("replacing", ["group": JSON(group), "old": JSON([uuid])])
        var creation = Creation(porcelain: porcelain, provider: provider, spec: spec, count: 1, group: group, skipStore: false)
        creation.replaces = [uuid]
        let made = try creation.run(tick: lock.renew)
        output += made
        guard let successor = try RecordReader.records(in: String(decoding: made, as: UTF8.self), source: "machine create").first else {
            throw FabricError.machine("the primary's replacement was not made")
        }
        let address = { (record: JSON) in record["addresses"]?.items.first?.string ?? "" }
        let replicas = members.filter { $0["uuid"]?.string != uuid }.map(address) + [address(successor)]
        let context = Hook.Context(group: group, role: "primary", machineAddress: address(successor), primaryAddress: address(primary),
                                   mysqlPort: spec.mysqlPort,
                                   login: spec.login.mysqlUser.map { Hook.MySQLLoginSecret(user: $0, password: environment("FABRIC_MYSQL_PASSWORD")) },
                                   extra: ["FABRIC_OLD_PRIMARY_ADDRESS": address(primary), "FABRIC_NEW_PRIMARY_ADDRESS": address(successor),
                                           "FABRIC_REPLICA_ADDRESSES": replicas.joined(separator: ",")])
        porcelain.events?.hookStarted(successor["uuid"]?.string ?? "", switchover)
        let running = try switchover.start(record: primary, uuid: successor["uuid"]?.string ?? "", context: context, more: [successor])
        let status = running.wait()
        porcelain.events?.hookEnded(successor["uuid"]?.string ?? "", running, status: status)
        try Interruption.check()
        guard status == 0 else {
            throw FabricError.machine("the switchover of group \(group) from \(address(primary)) to \(address(successor)) \(status.map { "exited with status \($0)" } ?? "ran past its time limit and was ended"); the old primary stays, its replacement is a replica",
                                      hint: "see its output above; run the refresh again once it is mended")
        }
        porcelain.events?.emit("switchover", ["group": JSON(group), "old": JSON(uuid), "new": successor["uuid"] ?? .null])
        try destroy([uuid], drain: true)
        replaced += 1
        warn("group \(group): the primary moved from \(address(primary)) to \(address(successor)); replaced \(uuid)")
    }

    /// Destroys members by UUID (drained by the group's before_destroy hook, or not).
    private mutating func destroy(_ uuids: [String], drain: Bool) throws(FabricError) {
        let stored = try storedRecords()
        let records = try uuids.filter { stored[$0] != nil }.map { stored[$0]! }
            + porcelain.machineRecords(provider, uuids.filter { stored[$0] == nil }, unstored: true)
        let (status, destroyed) = try MachineRemoval(porcelain: porcelain, provider: provider, force: !drain, hook: drain ? spec.destroyArguments : [])
            .destroy(records, output: .captured, tick: lock.renew)
        output += destroyed
        if status != 0 { throw FabricError.machine("destroying \(uuids.joined(separator: ",")) failed (status \(status))") }
    }
}
