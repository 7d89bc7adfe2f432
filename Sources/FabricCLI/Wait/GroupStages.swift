import FabricProviders
import FabricRecords
import FabricStore

/// What one wait knows of a group: its primary, found among the members it does not wait for
/// (read once), else the first member to become it (the one whose on_ready hook ran with no
/// primary, or without a hook the first that reads as one).
final class GroupState {
    var primary: (uuid: String, address: String)?
    /// The member whose on_ready hook runs alone, to become the primary of a group that has none.
    var electing: String?
    var discovered = false
}

extension StageTracker {
    /// The machine's address on its mysql port, when it has a real one.
    private func serverAddress(_ track: Track, provider: any Provider) -> String? {
        guard let machine = track.machine,
              case .address(let address) = provider.reach(machine, port: track.mysqlPort, address: readiness.address) else { return nil }
        return address
    }

    /// The group's state, its primary looked for among the members this wait does not follow.
    private mutating func groupState(of record: JSON, track: Track, waiting: [String: JSON],
                                     provider: any Provider) throws(FabricError) -> GroupState {
        let group = record["group"]?.string ?? ""
        let key = provider.record.id + "/" + group
        let state = groups[key] ?? GroupState()
        groups[key] = state
        guard !state.discovered else { return state }
        state.discovered = true
        guard let login = readiness.login, !group.isEmpty else { return state }
        let others = try provider.listMachines()
            .filter { $0.group == group && waiting[$0.uuid] == nil && !$0.isGone && !$0.isFailed }
            .sorted { ($0.created ?? "", $0.name) < ($1.created ?? "", $1.name) }
        var primaries: [(uuid: String, address: String)] = []
        for machine in others {
            guard case .address(let address) = provider.reach(machine, port: track.mysqlPort, address: readiness.address),
                  case .success(let member) = login.member(address: address, port: track.mysqlPort) else { continue }
            if member.role == .primary { primaries.append((machine.uuid, address)) }
        }
        if primaries.count > 1 {
            warn("group \(group) has \(primaries.count) writable members that replicate from none (\(primaries.map(\.address).joined(separator: ", "))); the oldest is taken as its primary")
        }
        state.primary = primaries.first
        return state
    }

    // MARK: on_ready

    /// Starts the on_ready hook of each machine that reached it, and sees which ended. A group
    /// without a primary has its first member's hook run alone: that member becomes the primary
    /// the others' hooks join.
    mutating func runHooks(_ waiting: [String: JSON], provider: any Provider) throws(FabricError) {
        guard let hook = readiness.onReady else { return }
        // In the order of their names (db-1, db-2, ...): the first becomes the primary.
        let byName = waiting.keys.sorted { (a, b) in
            let (x, y) = (track(a)?.machine?.name ?? a, track(b)?.machine?.name ?? b)
            return (x.count, x) < (y.count, y)
        }
        for uuid in byName {
            guard let track = track(uuid), track.atHook, track.hook == nil, let record = waiting[uuid] else { continue }
            let state = try groupState(of: record, track: track, waiting: waiting, provider: provider)
            if readiness.login != nil && state.primary == nil {
                // The group's first member by name (db-1) becomes the primary, whichever is first at its hook.
                let first = state.electing ?? byName.first { waiting[$0]?["group"]?.string == record["group"]?.string } ?? uuid
                if first != uuid {
                    track.reason = "waiting for \(first), the group's first member, to become its primary"
                    continue
                }
                state.electing = uuid
            }
            let address = serverAddress(track, provider: provider) ?? track.machine?.addresses.first ?? ""
            var role = MySQLMember.Role.unknown.rawValue
            if let login = readiness.login, case .success(let member) = login.member(address: address, port: track.mysqlPort) {
                role = member.role.rawValue
            }
            let context = Hook.Context(group: record["group"]?.string ?? "", role: role, machineAddress: address,
                                       primaryAddress: state.primary?.address, mysqlPort: track.mysqlPort,
                                       login: readiness.login.map { Hook.MySQLLoginSecret(user: $0.user, password: $0.password) })
            readiness.events?.hookStarted(uuid, hook)
            do {
                track.hook = try hook.start(record: record, uuid: uuid, context: context)
            } catch {
                throw fail(uuid, FabricError.machine("machine \(uuid) (\(track.machine?.name ?? "?")): its on_ready hook did not start: \(error.message)"))
            }
            track.reason = "its on_ready hook runs (\(hook.command))"
        }
        for uuid in waiting.keys.sorted() {
            guard let track = track(uuid), let running = track.hook, !track.hookDone else { continue }
            let status = running.poll()
            if status == nil && !running.timedOut { continue }
            if status == nil { running.end() }
            readiness.events?.hookEnded(uuid, running, status: status)
            let name = track.machine?.name ?? "?"
            guard let status else {
                throw fail(uuid, FabricError(.timeout, "machine \(uuid) (\(name)): its on_ready hook ran past its time limit (\(formatSeconds(hook.timeout))) and was ended: \(hook.command)"))
            }
            guard status == 0 else {
                throw fail(uuid, FabricError.machine("machine \(uuid) (\(name)) failed at its on_ready hook: \(quoted(hook.command)) exited with status \(status)",
                                                     hint: "its output is above, on standard error"))
            }
            track.hookDone = true
            track.enteredAt = monotonicNow()
            track.reason = nil
            if let record = waiting[uuid] {
                let state = try groupState(of: record, track: track, waiting: waiting, provider: provider)
                if state.electing == uuid {
                    state.electing = nil
                    if let address = serverAddress(track, provider: provider) { state.primary = (uuid, address) }
                }
            }
        }
    }

    /// Whether any of these machines' hooks still runs.
    func hooksRunning(_ uuids: [String]) -> Bool {
        uuids.contains { track($0).map { $0.hook != nil && !$0.hookDone } ?? false }
    }

    /// Ends the hooks still running (the wait failed, timed out or was interrupted): they run
    /// in process groups of their own, which no signal to the pipeline reaches.
    func endRunningHooks(_ uuids: [String]) {
        for uuid in uuids {
            guard let track = track(uuid), let running = track.hook, !track.hookDone, running.poll() == nil else { continue }
            running.end()
            readiness.events?.hookEnded(uuid, running, status: running.status)
        }
    }

    // MARK: replica and synced

    /// Logs in to each machine at a group stage: a replica of the group's primary that has
    /// caught up (or is at most its lag behind), or a Galera node Synced in a Primary component.
    mutating func checkGroupStage(_ uuids: [String], waiting: [String: JSON], provider: any Provider) throws(FabricError) {
        guard let login = readiness.login else { return }
        for uuid in uuids {
            guard let track = track(uuid), let stage = track.current, let record = waiting[uuid],
                  monotonicNow() - track.groupCheckedAt >= StageTracker.probeInterval else { continue }
            track.groupCheckedAt = monotonicNow()
            let name = track.machine?.name ?? "?"
            guard let address = serverAddress(track, provider: provider) else {
                throw fail(uuid, FabricError.machine("machine \(uuid) (\(name)) has no server fabric can log in to (an emulated machine, or no address of the kind asked for), so stage \(stage) cannot see its replication"))
            }
            let member: MySQLMember
            switch login.member(address: address, port: track.mysqlPort) {
            case .failure(let unread):
                track.reason = unread.why
                continue
            case .success(let read): member = read
            }
            switch stage {
            case .synced:
                guard let galera = member.galera else {
                    track.reason = "not a Galera node (wsrep_on is OFF)"
                    continue
                }
                guard galera.synced else {
                    track.reason = "wsrep_local_state_comment \(galera.localState ?? "?"), wsrep_cluster_status \(galera.clusterStatus ?? "?")"
                    continue
                }
            case .replica(let lag):
                let state = try groupState(of: record, track: track, waiting: waiting, provider: provider)
                if state.primary == nil && state.electing == nil && member.role == .primary { state.primary = (uuid, address) }
                if state.primary?.uuid == uuid {
                    guard member.role == .primary else {
                        track.reason = "the group's primary, but \(member.replication != nil ? "it replicates from \(member.replication!.masterHost)" : "it is read-only")"
                        continue
                    }
                } else {
                    guard let primary = state.primary else {
                        track.reason = "the group has no primary yet"
                        continue
                    }
                    guard try caughtUp(track, member: member, primary: primary, lag: lag, login: login) else { continue }
                }
            default:
                continue
            }
            member.describe(into: record)
            var fields: [String: JSON] = ["uuid": JSON(uuid), "role": JSON(member.role.rawValue)]
            if let lag = record["lag"] { fields["lag"] = lag }
            if let galera = record["galera_state"] { fields["galera_state"] = galera }
            readiness.events?.emit("role", fields)
            track.advance()
        }
    }

    /// Whether a replica replicates from the primary without error and has caught up; a
    /// replication error fails the machine at once with the server's message.
    private func caughtUp(_ track: Track, member: MySQLMember, primary: (uuid: String, address: String), lag: Int,
                          login: MySQLLogin) throws(FabricError) -> Bool {
        guard let replication = member.replication else {
            track.reason = "not a replica (SHOW SLAVE STATUS is empty)"
            return false
        }
        if let failure = replication.failure {
            throw fail(track.uuid, FabricError.machine("machine \(track.uuid) (\(track.machine?.name ?? "?")) failed at replica: its replication from \(replication.masterHost) stopped: \(failure)",
                                                       hint: "see SHOW SLAVE STATUS on it; the group's primary is \(primary.address)"))
        }
        guard replication.masterHost == primary.address else {
            track.reason = "replicates from \(replication.masterHost), not from the group's primary \(primary.address)"
            return false
        }
        guard replication.running else {
            track.reason = "replication threads: I/O \(replication.ioRunning), SQL \(replication.sqlRunning)"
            return false
        }
        if lag > 0 {
            guard let behind = replication.secondsBehind, behind <= lag else {
                track.reason = "\(replication.secondsBehind.map { "\($0) s" } ?? "an unknown time") behind the primary"
                return false
            }
            return true
        }
        if track.primaryTarget == nil {
            switch login.member(address: primary.address, port: track.mysqlPort) {
            case .success(let read): track.primaryTarget = read.binlogPosition
            case .failure(let unread):
                track.reason = "the primary's position cannot be read: \(unread.why)"
                return false
            }
        }
        guard member.currentPosition.includes(track.primaryTarget!) else {
            track.reason = "has applied \(member.currentPosition.description.isEmpty ? "nothing" : member.currentPosition.description) of the primary's \(track.primaryTarget!)"
            return false
        }
        return true
    }
}
