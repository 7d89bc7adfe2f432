import FabricProviders
import FabricRecords
import Glibc

/// Waits until machines are ACTIVE and snapshots active, asking each provider about all of
/// its pending records in one call per round, and hands each record on as soon as it is ready.
/// A machine in ERROR (or a killed snapshot) fails the wait with the provider's reason.
public struct Waiter {
    public var timeout: Double
    public var interval: Double
    public var maxInterval: Double
    public var showProgress: Bool

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
        defer { if showProgress { fputs("\r\u{1B}[K", stderr) } }
        let outcome = try Backoff(first: interval, factor: 1.5, cap: maxInterval).poll(timeout: timeout) { () throws(FabricError) in
            for id in order {
                for kind in Waitable.allCases {
                    guard let waiting = pending[id]?[kind], !waiting.isEmpty else { continue }
                    pending[id]![kind] = try poll(kind, waiting, provider: try context.provider(id), emit: emit)
                }
            }
            left = pending.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
            if left > 0 && showProgress {
                fputs("\r\u{1B}[K\(Tool.name): \(total - left)/\(total) ready, waiting \(Int(monotonicNow() - start)) s", stderr)
            }
            return left == 0
        }
        switch outcome {
        case .done: return
        case .interrupted: try Interruption.check()
        case .timedOut: throw timedOut(pending, left: left, total: total)
        }
    }

    /// One round for one provider and kind: emits what is ready, returns what is still waiting.
    private func poll(_ kind: Waitable, _ waiting: [String: JSON], provider: any Provider,
                      emit: (JSON) -> Void) throws(FabricError) -> [String: JSON] {
        var left = waiting
        var seen = Set<String>()
        for state in try kind.states(Array(waiting.keys), provider: provider) {
            guard let record = waiting[state.id] else { continue }
            seen.insert(state.id)
            if let failure = state.failure { throw failure }
            if state.ready {
                state.apply(record)
                emit(record)
                left[state.id] = nil
            }
        }
        if let gone = waiting.keys.sorted().first(where: { !seen.contains($0) }) {
            throw FabricError(kind.errorKind, "\(kind.noun) \(gone) no longer exists on provider \(quoted(provider.record.id))")
        }
        return left
    }

    private func timedOut(_ pending: Pending, left: Int, total: Int) -> FabricError {
        let names = pending.values.flatMap { $0.values.flatMap(\.keys) }.sorted()
        let hints = pending.sorted { $0.key < $1.key }.flatMap { provider, kinds in
            Waitable.allCases.filter { !(kinds[$0]?.isEmpty ?? true) }.map { $0.lookHint(provider: provider) }
        }
        return FabricError(.timeout, "\(left) of \(total) not ready after \(formatSeconds(timeout)): \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", ..." : "")",
                           hint: "raise --timeout, or see: " + hints.joined(separator: "; "))
    }
}

/// What can be waited for, and what ready, failed and gone mean for each: one wait loop
/// serves machines and snapshots alike.
private enum Waitable: CaseIterable {
    case machine, snapshot

    struct State {
        let id: String
        let ready: Bool
        let failure: FabricError?
        let apply: (JSON) -> Void
    }

    init(of record: JSON) throws(FabricError) {
        switch try RecordKind(of: record) {
        case .machine: self = .machine
        case .snapshot: self = .snapshot
        default: throw FabricError.input("fabric-wait takes machine and snapshot records, not \(abbreviated(record))")
        }
    }

    var noun: String { self == .machine ? "machine" : "snapshot" }
    var errorKind: FabricError.Kind { self == .machine ? .machine : .snapshot }

    func id(of record: JSON) throws(FabricError) -> String {
        let id = try record.requiredString(self == .machine ? "uuid" : "id", in: "\(noun) record")
        try checkResourceID(id, noun)
        return id
    }

    /// Where the user can look at what did not get ready.
    func lookHint(provider: String) -> String {
        switch self {
        case .machine: "fabric-list-machines -p \(provider)"
        case .snapshot: "fabric-find-image -p \(provider) --all --image image_type=snapshot"
        }
    }

    func states(_ ids: [String], provider: any Provider) throws(FabricError) -> [State] {
        switch self {
        case .machine:
            return try provider.machines(ids).map { machine in
                State(id: machine.uuid, ready: machine.isReady,
                      failure: machine.isFailed ? FabricError.machine("machine \(machine.uuid) (\(machine.name)) went to ERROR: \(machine.fault ?? "the provider gave no reason")") : nil,
                      apply: { record in
                          // An address given while the machine built may reach the cloud's view
                          // of it a moment later; the record keeps it meanwhile.
                          let given = record.strings("public_addresses").filter { !machine.publicAddresses.contains($0) }
                          machine.apply(to: record)
                          if !given.isEmpty {
                              record["public_addresses"] = JSON(machine.publicAddresses + given)
                              record["addresses"] = JSON(machine.addresses + given)
                          }
                      })
            }
        case .snapshot:
            return try provider.snapshots(ids).map { snapshot in
                State(id: snapshot.id, ready: snapshot.isReady,
                      failure: snapshot.isFailed ? FabricError.snapshot("snapshot \(snapshot.id) of machine \(snapshot.machineUUID) is \(snapshot.status): \(snapshot.fault ?? "the provider gave no reason")") : nil,
                      apply: snapshot.apply)
            }
        }
    }
}

public func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
