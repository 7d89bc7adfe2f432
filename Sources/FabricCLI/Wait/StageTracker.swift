import FabricHTTP
import FabricProviders
import FabricRecords
import FabricStore
import Glibc

/// Follows each machine through its chain of ready stages, one round at a time: one list of the
/// provider's machines for all of them, one boot-log request per machine at cloud-init, one
/// poll() over the sockets of all machines at a port or at MySQL, and nothing for a machine
/// past a stage. A machine may pass several stages in one round.
struct StageTracker {
    let readiness: Readiness
    /// When the wait began (wall clock): stage times count from here, on this host's clock (a
    /// record's `created` is the cloud's, to the second).
    let started: Double
    private var tracks: [String: Track] = [:]
    private var chains: [String: [ReadyStage]] = [:]
    /// The provider's last answer and when (monotonic): machines at a port or MySQL are probed
    /// every `probeInterval`, their cloud state asked for at most once a `listInterval`.
    private var listed: [String: (at: Double, machines: [String: Machine])] = [:]
    /// What this wait knows of each group (by provider and group): its primary.
    var groups: [String: GroupState] = [:]
    /// A hard spread's members as listed once in this wait (by provider and group), and the
    /// members whose host was checked (SpreadCheck.swift).
    var spreadPeers: [String: [Machine]] = [:]
    var spreadChecked: Set<String> = []
    static let probeInterval = 0.25
    static let hookPollInterval = 0.01
    static let listInterval = 1.0

    init(readiness: Readiness, started: Double) {
        self.readiness = readiness
        self.started = started
    }

    final class Track {
        let uuid: String
        let stages: [ReadyStage]
        /// Where the on_ready hook runs: before the first group stage (replica, synced), else
        /// after the last stage.
        let hookAt: Int
        var hook: Hook.Running?
        var hookDone: Bool
        /// The primary's GTID position when the replica stage began: what it must have applied.
        var primaryTarget: GTIDPosition?
        /// When its server was last asked about a group stage (monotonic): rounds come faster
        /// while hooks run, logins no faster than the probe interval.
        var groupCheckedAt = -Double.infinity
        let events: EventLog?
        let started: Double
        var next = 0
        /// When the stage it is at began (monotonic).
        var enteredAt = monotonicNow()
        var reached: [(stage: ReadyStage, at: Double)] = []
        /// Why the stage it is at is not reached yet, as the last round saw it.
        var reason: String?
        /// Why the stage it is at failed, when it did: the wait ends with this machine's error.
        var failure: String?
        var machine: Machine?

        init(uuid: String, stages: [ReadyStage], hasHook: Bool, events: EventLog?, started: Double) {
            self.uuid = uuid
            self.stages = stages
            hookAt = stages.firstIndex { $0.kind.isGroupStage } ?? stages.count
            hookDone = !hasHook
            self.events = events
            self.started = started
        }

        var current: ReadyStage? { next < stages.count ? stages[next] : nil }
        var atHook: Bool { next == hookAt && !hookDone }
        var isReady: Bool { current == nil && hookDone }
        /// Where it is, as messages and progress name it.
        var position: String { atHook ? "its on_ready hook" : current?.description ?? "ready" }

        /// The port of its mysql stage, which the group stages and hooks use too.
        var mysqlPort: Int {
            for case .mysql(let port) in stages.reversed() { return port }
            return ReadyStage.mysqlDefaultPort
        }

        func advance() {
            let at = now()
            reached.append((stages[next], at))
            events?.emit("stage", ["uuid": JSON(uuid), "stage": JSON(stages[next].description),
                                   "seconds": JSON((max(0, at - started) * 100).rounded() / 100)])
            next += 1
            enteredAt = monotonicNow()
            reason = nil
        }
    }

    /// One round for one provider's machines: emits those now ready, returns those still waiting.
    mutating func round(_ waiting: [String: JSON], provider: any Provider, emit: (JSON) -> Void) throws(FabricError) -> [String: JSON] {
        let chain = try chainOf(provider)
        for uuid in waiting.keys where tracks[uuid] == nil {
            tracks[uuid] = Track(uuid: uuid, stages: chain, hasHook: readiness.onReady != nil, events: readiness.events, started: started)
        }
        let machines = try currentMachines(waiting, provider: provider)
        for (uuid, record) in waiting.sorted(by: { $0.key < $1.key }) {
            guard let machine = machines[uuid] else {
                throw fail(uuid, FabricError(.machine, "machine \(uuid) no longer exists on provider \(quoted(provider.record.id))"))
            }
            if machine.isFailed { throw fail(uuid, failure(of: machine, provider: provider)) }
            machine.merge(into: record)
            var seen = machine
            seen.publicAddresses = record.strings("public_addresses")
            seen.addresses = record.strings("addresses")
            tracks[uuid]!.machine = seen
        }
        try checkSpread(machines, provider: provider)
        for kind in ReadyStage.Kind.allCases {
            // The hooks run after a machine's own stages, before the group's, which see what they did.
            if kind == .replica { try runHooks(waiting, provider: provider) }
            // Two port stages in a row are of one kind: go on while a machine moves within it.
            var moved = true
            while moved {
                let at = waiting.keys.sorted().filter { tracks[$0]!.current?.kind == kind && !tracks[$0]!.atHook }
                if at.isEmpty { break }
                let before = at.map { tracks[$0]!.next }
                switch kind {
                case .active: for uuid in at where machines[uuid]!.isReady { tracks[uuid]!.advance() }
                case .address: for uuid in at where addressAttached(waiting[uuid]!) { tracks[uuid]!.advance() }
                case .cloudInit: try readBootLogs(at, provider: provider)
                case .port, .mysql: try connect(at, provider: provider)
                case .replica, .synced: try checkGroupStage(at, waiting: waiting, provider: provider)
                }
                moved = kind == .port && zip(at, before).contains { tracks[$0.0]!.next != $0.1 }
            }
        }
        var left = waiting
        for (uuid, record) in waiting.sorted(by: { $0.key < $1.key }) {
            let track = tracks[uuid]!
            if !track.isReady, let stage = track.current, !track.atHook {
                if let limit = readiness.limit(of: stage), monotonicNow() - track.enteredAt > limit {
                    throw fail(uuid, FabricError(.timeout, "machine \(uuid) (\(track.machine?.name ?? "?")) stopped at \(stage) after \(formatSeconds(limit)): \(track.reason ?? "not reached")",
                                                 hint: "raise --stage-timeout \(stage)=SECONDS, or see what it did: fabric-wait --until \(stage) on its record"))
                }
                continue
            }
            if !track.isReady { continue }
            record["ready"] = readyTimes(track)
            record["stopped_at"] = nil
            var ready: [String: JSON] = ["uuid": JSON(uuid), "seconds": JSON((max(0, now() - started) * 100).rounded() / 100)]
            if let role = record["role"] { ready["role"] = role }
            readiness.events?.emit("ready", ready)
            emit(record)
            left[uuid] = nil
        }
        return left
    }

    /// The cloud's view of the machines: asked for each round, except when all of them are at a
    /// port or MySQL and it was asked less than `listInterval` ago.
    private mutating func currentMachines(_ waiting: [String: JSON], provider: any Provider) throws(FabricError) -> [String: Machine] {
        let id = provider.record.id
        if let last = listed[id], monotonicNow() - last.at < Self.listInterval, onlyConnecting(Array(waiting.keys)),
           waiting.keys.allSatisfy({ last.machines[$0] != nil }) {
            return last.machines
        }
        let machines = Dictionary(try provider.machines(Array(waiting.keys)).map { ($0.uuid, $0) }, uniquingKeysWith: { first, _ in first })
        listed[id] = (monotonicNow(), machines)
        return machines
    }

    /// Whether every one of these machines waits only at a stage this host checks itself.
    func onlyConnecting(_ uuids: [String]) -> Bool {
        !uuids.isEmpty && uuids.allSatisfy { tracks[$0].map { $0.atHook || $0.current?.connects == true } ?? false }
    }

    /// When each stage was reached, in seconds since the wait began, in the chain's order.
    private func readyTimes(_ track: Track) -> JSON {
        let times = JSON.object()
        for (stage, at) in track.reached { times[stage.description] = JSON((max(0, at - started) * 100).rounded() / 100) }
        return times
    }

    private mutating func chainOf(_ provider: any Provider) throws(FabricError) -> [ReadyStage] {
        if let chain = chains[provider.record.id] { return chain }
        let chain = try readiness.stages(for: provider)
        chains[provider.record.id] = chain
        return chain
    }

    /// The public address asked for (fabric-boot --public-network) is given, or none was asked.
    private func addressAttached(_ record: JSON) -> Bool {
        record["public_network"] == nil || !record.strings("public_addresses").isEmpty
    }

    // MARK: cloud-init

    private func readBootLogs(_ uuids: [String], provider: any Provider) throws(FabricError) {
        let logs = try provider.bootLogs(uuids, lines: readiness.bootLog.lines)
        for uuid in uuids {
            let track = tracks[uuid]!
            guard let log = logs[uuid] else {
                track.reason = "the cloud has no boot log for it yet"
                continue
            }
            switch readiness.bootLog.judge(log) {
            case .finished: track.advance()
            case .failed(let line):
                throw fail(uuid, FabricError.machine("machine \(uuid) (\(track.machine?.name ?? "?")) failed at cloud-init: its boot log says \(line)",
                                                     hint: "see the log: openstack console log show \(uuid), or aws ec2 get-console-output --instance-id \(uuid)"))
            case .running(let lines):
                track.reason = "no cloud-init final line in its boot log yet (\(lines) line\(lines == 1 ? "" : "s"))"
            }
        }
    }

    // MARK: port and mysql

    /// One poll() round over every machine at a port or MySQL stage; then, where MySQL greeted
    /// and a login is asked for, the login and SELECT 1.
    private func connect(_ uuids: [String], provider: any Provider) throws(FabricError) {
        var targets: [TCPProbe.Target] = []
        var mysqlTargets: [TCPProbe.Target] = []
        for uuid in uuids {
            let track = tracks[uuid]!
            guard let stage = track.current, let machine = track.machine else { continue }
            let (port, isMySQL): (Int, Bool) = switch stage {
            case .port(let port): (port, false)
            case .mysql(let port): (port, true)
            default: (0, false)
            }
            switch provider.reach(machine, port: port, address: readiness.address) {
            case .emulated(let open):
                if open { track.advance() } else { track.reason = "port \(port) does not answer yet" }
            case .unreachable(let why):
                throw fail(uuid, FabricError.machine("\(why), so stage \(stage) cannot connect to it",
                                                     hint: "give it a public address (--public_network), or wait with --address private"))
            case .address(let address):
                let target = TCPProbe.Target(id: uuid, address: address, port: port)
                if isMySQL { mysqlTargets.append(target) } else { targets.append(target) }
            }
        }
        for (uuid, outcome) in TCPProbe(timeout: readiness.connectTimeout).probe(targets) {
            switch outcome {
            case .open: tracks[uuid]!.advance()
            case .closed(let why): tracks[uuid]!.reason = "port \(targets.first { $0.id == uuid }!.port): \(why)"
            }
        }
        let greeting = TCPProbe.GreetingFrame(limit: MySQLGreeting.limit) { MySQLGreeting.frameLength($0) }
        let greetings = TCPProbe(timeout: readiness.connectTimeout, greeting: greeting).probe(mysqlTargets)
        for target in mysqlTargets {
            let track = tracks[target.id]!
            guard case .open(let bytes)? = greetings[target.id] else {
                if case .closed(let why)? = greetings[target.id] { track.reason = "\(target.address):\(target.port): \(why)" }
                continue
            }
            switch MySQLGreeting(bytes) {
            case .notMySQL:
                track.reason = "\(target.address):\(target.port) answers, but not with MySQL's handshake"
            case .refused(let code, let message):
                track.reason = "MySQL at \(target.address):\(target.port) refuses connections: \(quoted(message)) (error \(code))"
            case .handshake:
                guard let login = readiness.login else {
                    track.advance()
                    continue
                }
                switch login.check(address: target.address, port: target.port) {
                case .ready: track.advance()
                case .notYet(let why): track.reason = "MySQL at \(target.address):\(target.port): \(why)"
                case .denied(let why):
                    throw fail(target.id, FabricError.machine("machine \(target.id) (\(track.machine?.name ?? "?")) failed at \(track.current!): MySQL at \(target.address):\(target.port) refused the login as \(quoted(login.user)): \(why)",
                                                              hint: "check --mysql-user and its password (--mysql-password-file, FABRIC_MYSQL_PASSWORD)"))
                }
            }
        }
    }

    /// Marks the machine as failed at the stage it is at, for its record, and returns the error.
    func fail(_ uuid: String, _ error: FabricError) -> FabricError {
        tracks[uuid]?.failure = error.message
        readiness.events?.emit("failed", ["uuid": JSON(uuid), "stage": JSON(tracks[uuid]?.position ?? "active"),
                                          "reason": JSON(error.message)])
        return error
    }

    func track(_ uuid: String) -> Track? { tracks[uuid] }

    /// The record of a machine that did not get ready: `ready` holds the stages it reached,
    /// `stopped_at` the stage it was at, why, and how long it had been there. A stage an
    /// earlier wait had reached keeps that wait's time (`fabric machine wait` again on a stored
    /// machine that fails must not lose what the create saw); this wait adds the stages it
    /// reached first.
    func stopped(_ uuid: String, record: JSON) -> JSON {
        let track = tracks[uuid]
        let reached = track.map(readyTimes) ?? JSON.object()
        let times = JSON.object()
        if let earlier = record["ready"] { for (stage, at) in earlier.fields { times[stage] = at } }
        for (stage, at) in reached.fields where times[stage] == nil { times[stage] = at }
        record["ready"] = times
        // It reached its last stage in the round that failed: it is ready, and says so.
        if let track, track.isReady {
            record["stopped_at"] = nil
            return record
        }
        record["stopped_at"] = stoppedAt(stage: track.map { $0.atHook ? "on_ready" : $0.current?.description ?? "active" } ?? "active",
                                         reason: track?.failure ?? track?.reason ?? "not reached when the wait ended",
                                         seconds: track.map { monotonicNow() - $0.enteredAt } ?? 0, failed: track?.failure != nil)
        return record
    }

    // MARK: what the user is told

    /// "3 at mysql:3306, 2 at cloud-init": where the machines still waiting are.
    func summary(of uuids: [String]) -> String {
        var counts: [(stage: String, count: Int)] = []
        for uuid in uuids {
            let stage = tracks[uuid].map { $0.atHook ? "on_ready" : $0.current?.description ?? "active" } ?? "active"
            if let index = counts.firstIndex(where: { $0.stage == stage }) { counts[index].count += 1 } else { counts.append((stage, 1)) }
        }
        return counts.sorted { $0.count > $1.count }.map { "\($0.count) at \($0.stage)" }.joined(separator: ", ")
    }

    /// "UUID at mysql:3306 (Connection refused)", for the error of a wait that timed out.
    func whereIs(_ uuid: String) -> String {
        guard let track = tracks[uuid], !track.isReady else { return uuid }
        return "\(uuid) at \(track.position)" + (track.reason.map { " (\($0))" } ?? "")
    }
}
