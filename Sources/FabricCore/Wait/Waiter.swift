import Glibc

/// Waits until machines are ACTIVE and snapshots active, asking each provider about all of
/// its pending records in one call per round, and hands each record on as soon as it is ready.
/// A machine in ERROR (or a killed snapshot) fails the wait with the provider's reason.
public struct Waiter {
    public var timeout: Double
    public var interval: Double
    public var maxInterval: Double
    public var showProgress: Bool

    public init(timeout: Double, interval: Double = 0.1, maxInterval: Double = 5, showProgress: Bool = isTerminal(2)) {
        self.timeout = timeout
        self.interval = interval
        self.maxInterval = maxInterval
        self.showProgress = showProgress
    }

    private struct Pending {
        var machines: [String: JSON] = [:]
        var snapshots: [String: JSON] = [:]
        var isEmpty: Bool { machines.isEmpty && snapshots.isEmpty }
        var count: Int { machines.count + snapshots.count }
    }

    public func wait(for records: [JSON], session: Session, providerOption: String?,
                     emit: (JSON) -> Void) throws(FabricError) {
        var pending: [String: Pending] = [:]
        var order: [String] = []
        for record in records {
            let provider = try session.providerID(for: record, option: providerOption)
            if pending[provider] == nil { order.append(provider) }
            switch try RecordKind(of: record) {
            case .machine:
                pending[provider, default: Pending()].machines[try record.requiredString("uuid", in: "machine record")] = record
            case .snapshot:
                pending[provider, default: Pending()].snapshots[try record.requiredString("id", in: "snapshot record")] = record
            default:
                throw FabricError.input("fabric-wait takes machine and snapshot records, not \(abbreviated(record))")
            }
        }
        let total = records.count
        let start = monotonicNow()
        var delay = interval
        defer { if showProgress { fputs("\r\u{1B}[K", stderr) } }
        while true {
            try Interruption.check()
            for id in order {
                guard var state = pending[id], !state.isEmpty else { continue }
                let provider = try session.provider(id)
                if !state.machines.isEmpty {
                    let found = try provider.machines(Array(state.machines.keys))
                    var seen = Set<String>()
                    for machine in found {
                        guard let record = state.machines[machine.uuid] else { continue }
                        seen.insert(machine.uuid)
                        if machine.isFailed {
                            throw FabricError.machine("machine \(machine.uuid) (\(machine.name)) went to ERROR: \(machine.fault ?? "the provider gave no reason")")
                        }
                        if machine.isReady {
                            machine.apply(to: record)
                            emit(record)
                            state.machines[machine.uuid] = nil
                        }
                    }
                    if let gone = state.machines.keys.sorted().first(where: { !seen.contains($0) }) {
                        throw FabricError.machine("machine \(gone) no longer exists on provider \(quoted(id))")
                    }
                }
                if !state.snapshots.isEmpty {
                    let found = try provider.snapshots(Array(state.snapshots.keys))
                    var seen = Set<String>()
                    for snapshot in found {
                        guard let record = state.snapshots[snapshot.id] else { continue }
                        seen.insert(snapshot.id)
                        if snapshot.isFailed {
                            throw FabricError.snapshot("snapshot \(snapshot.id) of machine \(snapshot.machineUUID) is \(snapshot.status): \(snapshot.fault ?? "the provider gave no reason")")
                        }
                        if snapshot.isReady {
                            snapshot.apply(to: record)
                            emit(record)
                            state.snapshots[snapshot.id] = nil
                        }
                    }
                    if let gone = state.snapshots.keys.sorted().first(where: { !seen.contains($0) }) {
                        throw FabricError.snapshot("snapshot \(gone) no longer exists on provider \(quoted(id))")
                    }
                }
                pending[id] = state
            }
            let left = pending.values.reduce(0) { $0 + $1.count }
            if left == 0 { return }
            let elapsed = monotonicNow() - start
            if showProgress {
                fputs("\r\u{1B}[K\(Tool.name): \(total - left)/\(total) ready, waiting \(Int(elapsed)) s", stderr)
            }
            if elapsed >= timeout {
                let names = pending.values.flatMap { Array($0.machines.keys) + Array($0.snapshots.keys) }.sorted()
                throw FabricError(.timeout, "\(left) of \(total) not ready after \(formatSeconds(timeout)): \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", ..." : "")",
                                  hint: "raise --timeout, or see: fabric-list-machines")
            }
            sleep(seconds: min(delay, max(0, timeout - elapsed)))
            delay = min(delay * 1.5, maxInterval)
        }
    }
}

public func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
