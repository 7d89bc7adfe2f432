import FabricProviders
import FabricRecords
import Glibc

/// Waits until machines are ready (each through the chain of stages `readiness` names: ACTIVE,
/// its public address, a port, cloud-init, MySQL) and snapshots active, asking each provider
/// about all of its pending records in one call per round, and hands each record on as soon as
/// it is ready. A machine in ERROR, a boot log showing cloud-init failing, a MySQL login
/// refused or a stage's own limit (and a killed snapshot) fails the wait with the reason.
public struct Waiter {
    public var timeout: Double
    public var interval: Double
    public var maxInterval: Double
    public var showProgress: Bool
    public var readiness = Readiness()

    public init(timeout: Double, interval: Double = 0.1, maxInterval: Double = 1, showProgress: Bool = isTerminal(2)) {
        self.timeout = timeout
        self.interval = interval
        self.maxInterval = maxInterval
        self.showProgress = showProgress
    }

    /// Records waiting, by provider, then by kind, then by id.
    private typealias Pending = [String: [Waitable: [String: JSON]]]

    public func wait(for records: [JSON], context: ToolContext, providerOption: String?,
                     emit: (JSON) -> Void) throws(FabricError) {
        var pending: Pending = [:]
        var order: [String] = []
        for record in records {
            let provider = try context.providerID(for: record, option: providerOption)
            if pending[provider] == nil { order.append(provider) }
            let kind = try Waitable(of: record)
            pending[provider, default: [:]][kind, default: [:]][try kind.id(of: record)] = record
        }
        let total = records.count
        let start = monotonicNow()
        var left = total
        var stages = StageTracker(readiness: readiness, started: now())
        defer { if showProgress { fputs("\r\u{1B}[K", stderr) } }
        defer { stages.endRunningHooks(records.compactMap { $0["uuid"]?.string }) }
        let outcome: Backoff.Outcome
        do { outcome = try Backoff(first: interval, factor: 1.5, cap: maxInterval).poll(timeout: timeout) { () throws(FabricError) -> Backoff.Round in
            for id in order {
                let provider = try context.provider(id)
                if let waiting = pending[id]?[.machine], !waiting.isEmpty {
                    pending[id]![.machine] = try stages.round(waiting, provider: provider, emit: emit)
                }
                if let waiting = pending[id]?[.snapshot], !waiting.isEmpty {
                    pending[id]![.snapshot] = try pollSnapshots(waiting, provider: provider, emit: emit)
                }
            }
            left = pending.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
            let machinesLeft = pending.values.flatMap { $0[.machine].map { Array($0.keys) } ?? [] }
            if left > 0 && showProgress {
                let at = stages.summary(of: machinesLeft)
                fputs("\r\u{1B}[K\(Tool.name): \(total - left) of \(total) ready\(at.isEmpty ? "" : ", " + at), \(Int(monotonicNow() - start)) s", stderr)
            }
            if left == 0 { return .done }
            // A hook's end is seen within a few milliseconds: its machine counts at once.
            if stages.hooksRunning(machinesLeft) { return .within(StageTracker.hookPollInterval) }
            // Machines that only wait for a port or MySQL are probed from here, which asks the
            // cloud nothing: often enough to see a server within a quarter of a second.
            return stages.onlyConnecting(machinesLeft) && pending.values.allSatisfy { $0[.snapshot]?.isEmpty ?? true } ? .within(StageTracker.probeInterval) : .again
        } } catch {
            emitStopped(pending, stages: stages, emit: emit)
            throw error
        }
        switch outcome {
        case .done: return
        case .interrupted:
            // Interrupted, the machines still are in the cloud: their records go on, so that
            // fabric-store add downstream keeps them and nothing is lost.
            emitStopped(pending, stages: stages, emit: emit)
            try Interruption.check()
        case .timedOut:
            emitStopped(pending, stages: stages, emit: emit)
            throw timedOut(pending, left: left, total: total, stages: stages)
        }
    }

    /// A wait that fails still says where each machine got: their records go on with the
    /// stages reached and `stopped_at` (so `fabric machine wait` stores them; a create that
    /// fails removes them with the machines).
    private func emitStopped(_ pending: Pending, stages: StageTracker, emit: (JSON) -> Void) {
        for (_, kinds) in pending.sorted(by: { $0.key < $1.key }) {
            for (uuid, record) in (kinds[.machine] ?? [:]).sorted(by: { $0.key < $1.key }) {
                emit(stages.stopped(uuid, record: record))
            }
        }
    }

    /// One round for one provider's snapshots (machines go through the stage tracker): emits
    /// those now active, returns those still waiting.
    private func pollSnapshots(_ waiting: [String: JSON], provider: any Provider,
                               emit: (JSON) -> Void) throws(FabricError) -> [String: JSON] {
        var left = waiting
        var seen = Set<String>()
        for snapshot in try provider.snapshots(Array(waiting.keys)) {
            guard let record = waiting[snapshot.id] else { continue }
            seen.insert(snapshot.id)
            if snapshot.isFailed {
                throw FabricError.snapshot("snapshot \(snapshot.id) of machine \(snapshot.machineUUID) is \(snapshot.status): \(snapshot.fault ?? "the provider gave no reason")")
            }
            if snapshot.isReady {
                snapshot.apply(to: record)
                emit(record)
                left[snapshot.id] = nil
            }
        }
        if let gone = waiting.keys.sorted().first(where: { !seen.contains($0) }) {
            throw FabricError(.snapshot, "snapshot \(gone) no longer exists on provider \(quoted(provider.record.id))")
        }
        return left
    }

    private func timedOut(_ pending: Pending, left: Int, total: Int, stages: StageTracker) -> FabricError {
        let names = pending.values.flatMap { $0.values.flatMap(\.keys) }.sorted().map(stages.whereIs)
        let hints = pending.sorted { $0.key < $1.key }.flatMap { provider, kinds in
            Waitable.allCases.filter { !(kinds[$0]?.isEmpty ?? true) }.map { $0.lookHint(provider: provider) }
        }
        return FabricError(.timeout, "\(left) of \(total) not ready after \(formatSeconds(timeout)): \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", ..." : "")",
                           hint: "raise --timeout, or see: " + hints.joined(separator: "; "))
    }
}

/// What can be waited for: machines (through their ready stages) and snapshots, in one loop.
enum Waitable: CaseIterable {
    case machine, snapshot

    init(of record: JSON) throws(FabricError) {
        switch try RecordKind(of: record) {
        case .machine: self = .machine
        case .snapshot: self = .snapshot
        default: throw FabricError.input("fabric-wait takes machine and snapshot records, not \(abbreviated(record))")
        }
    }

    var noun: String { self == .machine ? "machine" : "snapshot" }

    func id(of record: JSON) throws(FabricError) -> String {
        let id = try record.requiredString(self == .machine ? "uuid" : "id", in: "\(noun) record")
        try (self == .machine ? Identifier.machine : Identifier.snapshot).check(id)
        return id
    }

    /// Where the user can look at what did not get ready.
    func lookHint(provider: String) -> String {
        switch self {
        case .machine: "fabric-list-machines -p \(provider)"
        case .snapshot: "fabric-find-image -p \(provider) --all --image image_type=snapshot"
        }
    }
}
