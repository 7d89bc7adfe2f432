import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords
import FabricStore

/// Decides what brings a group to N machines; `fabric machine scale` carries it out.
struct Scale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-scale",
        abstract: "Plan bringing a group to N machines: how many to create, which to destroy.",
        discussion: """
            Asks the provider for the machines carrying the group's tag (one listing) and the \
            store for which of them are protected, then prints one record, \
            {"kind":"scale_plan",...}: live (members not gone, not in ERROR), create (how many to \
            make; a member in ERROR keeps its place unless --replace-failed), destroy (the UUIDs to remove: the oldest unprotected members first, or the \
            newest with --newest-first, and with --replace-failed those in ERROR), unstored (those \
            of them the store does not hold), failed, gone \
            (stored members the cloud no longer has) and protected. It changes nothing. A group \
            that cannot come down to N without removing a protected machine is a MachineError \
            naming them.

            With --mysql-user, each live member's role is read from its own server (roles: \
            primary, replica, galera or unknown; primary: the primary's UUID): a shrink never \
            removes the primary (whichever member it is now, after a failover too) nor a Galera \
            node whose leaving would cost the cluster its majority; it removes members that do \
            not answer first, then replicas, oldest first. In a group spread over zones \
            (--spread zone), the zone holding the most members gives first.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The group.", valueName: "name"))
    var group: String

    @Option(help: ArgumentHelp("How many live machines the group should have.", valueName: "n"))
    var to: String

    @Flag(name: .customLong("newest-first"), help: "Shrink by removing the newest machines first, not the oldest.")
    var newestFirst = false

    @Flag(name: .customLong("replace-failed"), help: "Remove the members in ERROR and make new ones in their place.")
    var replaceFailed = false

    @OptionGroup(title: "MySQL login (roles: the primary and a Galera majority are kept)") var mysql: MySQLLoginOptions

    @Option(name: .customLong("mysql-port"), help: ArgumentHelp("The port of the members' MySQL (default 3306).", valueName: "port"))
    var mysqlPort: Int = ReadyStage.mysqlDefaultPort

    @Option(help: ArgumentHelp("Which address roles are read at: auto, public or private.", valueName: "kind"),
            completion: .list(AddressChoice.allCases.map(\.rawValue)))
    var address: String = AddressChoice.automatic.rawValue

    @Flag(help: "Check the options and exit: contact no cloud.")
    var check = false

    func validate() throws {
        try Identifier.group.check(group)
        _ = try target()
        _ = try mysql.login(readingPassword: false, timeout: 2)
        guard (1...65535).contains(mysqlPort) else { throw FabricError.usage("--mysql-port must be from 1 to 65535") }
        guard AddressChoice(rawValue: address) != nil else { throw FabricError.usage("--address must be auto, public or private, not \(quoted(address))") }
        guard providerOptions.provider != nil else { throw FabricError.usage("-p ID is required") }
    }

    func target() throws(FabricError) -> Int {
        guard let count = Int(to), count >= 0, count <= 10_000, to.allSatisfy(\.isNumber) else {
            throw FabricError.usage("--to must be a number of machines from 0 to 10000, not \(quoted(to))")
        }
        return count
    }

    func run() throws {
        if check { return }
        let providerID = providerOptions.provider!
        let context = ToolContext(store: storeOptions)
        let target = try target()
        var stored: [String: JSON] = [:]
        // The store lists machines in creation order: each create's batch is stored after the
        // one before it, so a batch's first place orders creates made in the same second.
        var batchRank: [String: Int] = [:]
        try context.store.machines(.init(providerID: providerID, group: group)) { (record) in
            stored[record["uuid"]?.string ?? ""] = record
            if let batch = record["batch"]?.string, batchRank[batch] == nil { batchRank[batch] = batchRank.count }
        }
        let provider = try context.provider(providerID)
        let members = try provider.listMachines().filter { $0.group == group }
        let present = Set(members.filter { !$0.isGone }.map(\.uuid))
        let failed = members.filter { !$0.isGone && $0.isFailed }
        // Oldest first: the cloud's creation time (to the second), then the create call's order,
        // then the place in its create call.
        let rank = { (machine: Machine) in machine.batch.flatMap { batchRank[$0] } ?? Int.max }
        let live = members.filter { !$0.isGone && !$0.isFailed }
            .sorted { ($0.created ?? "", rank($0), $0.name.count, $0.name) < ($1.created ?? "", rank($1), $1.name.count, $1.name) }
        let isProtected = { (uuid: String) in stored[uuid]?["protected"]?.bool == true }
        let login = try mysql.login(readingPassword: true, timeout: 2)
        let roles = login.map { MemberRoles(login: $0, port: mysqlPort, address: AddressChoice(rawValue: address)!)
            .read(live, provider: provider) } ?? [:]
        let primary = login == nil ? nil : MemberRoles.primary(of: live, in: roles)
        var destroy: [String] = replaceFailed ? failed.map(\.uuid) : []
        var create = 0
        if live.count > target {
            let surplus = live.count - target
            var candidates = (newestFirst ? live.reversed() : live).filter { !isProtected($0.uuid) && $0.uuid != primary?.uuid }
            if login != nil {
                // Those that do not answer first, then replicas; a Galera node only while the
                // nodes left that are Synced stay a majority of those left.
                let unanswered = candidates.filter { roles[$0.uuid] == nil }
                candidates = unanswered + candidates.filter { roles[$0.uuid] != nil && roles[$0.uuid]!.member.role != .galera }
                    + galeraRemovable(live.filter { roles[$0.uuid]?.member.role == .galera && !isProtected($0.uuid) }, roles: roles,
                                      total: live.count, removing: unanswered.count)
            }
            guard candidates.count >= surplus else {
                let kept = live.filter { !candidates.map(\.uuid).contains($0.uuid) }
                let why = kept.map { $0.uuid == primary?.uuid ? "\($0.uuid) (the primary)" : isProtected($0.uuid) ? "\($0.uuid) (protected)" : "\($0.uuid) (a Galera node its cluster's majority needs)" }
                throw FabricError.machine("group \(quoted(group)) cannot come down to \(target): \(kept.count) of its \(live.count) machines must stay (\(why.joined(separator: ", "))), so it stops at \(live.count - candidates.count); nothing was removed",
                                          hint: "fabric machine unprotect \(providerID) UUID, or scale to \(live.count - candidates.count)")
            }
            // A zone spread stays balanced: the fullest zone gives first, in the order above.
            if live.contains(where: { SpreadTag($0.spread)?.policy == .zone }) {
                destroy += ZonePlacement.removalOrder(candidates, zoneOf: \.avZone, count: surplus, members: live).map(\.uuid)
            } else {
                destroy += candidates.prefix(surplus).map(\.uuid)
            }
        } else {
            // A member in ERROR keeps its place until --replace-failed removes and replaces it.
            create = max(0, target - live.count - (replaceFailed ? 0 : failed.count))
        }
        let plan = JSON.object()
        plan["kind"] = JSON("scale_plan")
        plan["provider_id"] = JSON(providerID)
        plan["group"] = JSON(group)
        plan["to"] = JSON(target)
        plan["live"] = JSON(live.count)
        plan["create"] = JSON(create)
        plan["destroy"] = JSON(destroy)
        plan["failed"] = JSON(failed.map(\.uuid))
        // Members are counted at the provider: one the store does not hold is destroyed as such.
        plan["unstored"] = JSON(destroy.filter { stored[$0] == nil })
        plan["gone"] = JSON(stored.keys.filter { !present.contains($0) }.sorted())
        plan["protected"] = JSON(live.map(\.uuid).filter(isProtected))
        if login != nil {
            let described = JSON.object()
            for machine in live { described[machine.uuid] = JSON(roles[machine.uuid]?.member.role.rawValue ?? MySQLMember.Role.unknown.rawValue) }
            plan["roles"] = described
            plan["primary"] = primary.map { JSON($0.uuid) } ?? JSON.null
        }
        RecordWriter.standardOutput.write(plan)
    }

    /// The Galera nodes a shrink may remove, in the order given (non-Synced ones first): each
    /// only while the Synced nodes left are more than half of the members left.
    private func galeraRemovable(_ nodes: [Machine], roles: [String: (address: String, member: MySQLMember)],
                                 total: Int, removing: Int) -> [Machine] {
        let synced = { (machine: Machine) in roles[machine.uuid]?.member.galera?.synced == true }
        var left = total - removing
        var syncedLeft = nodes.filter(synced).count
        var removable: [Machine] = []
        for node in nodes.filter({ !synced($0) }) + nodes.filter(synced) {
            let nowSynced = synced(node) ? syncedLeft - 1 : syncedLeft
            guard nowSynced * 2 > left - 1 else { continue }
            removable.append(node)
            left -= 1
            syncedLeft = nowSynced
        }
        return removable
    }
}
