import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

struct MachineScale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale", abstract: "Grow or shrink a named group to N machines.",
        discussion: """
            Brings a group made by machine create --group to N live machines: creates the \
            difference with the options the group keeps (any machine create option given here \
            overrides them), or destroys the surplus, oldest first (in the order they were \
            created, also within one second), never a protected machine; at N it does nothing. \
            One scale of a group acts at a time: a second waits for the first (a lock in the store).

              (the group's kept options, from the store)
              (the lock scale/ID/GROUP, held while the rest runs)
                fabric-scale -p ID --group GROUP --to N [--newest-first] [--replace-failed]
                machine destroy's pipelines             (a surplus, or members in ERROR)
                machine create's pipeline with --number_machines K   (a shortfall)
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Argument(help: ArgumentHelp("The group, made by machine create --group.", valueName: "group"),
              completion: .custom { StoreCompletion.groups($0, $1, $2) })
    var group: String

    @Option(name: .spec("to"), parsing: .unconditional, help: ArgumentHelp("How many live machines the group should have.", valueName: "n"))
    var to: Int

    @Flag(name: .spec("newest_first"), help: "Shrink by removing the newest machines first.")
    var newestFirst = false

    @Flag(name: .spec("replace_failed"), help: "Destroy the members in ERROR and create new ones in their place.")
    var replaceFailed = false

    @OptionGroup(title: "Options of machine create, overriding those the group keeps") var spec: MachineSpec

    @OptionGroup var events: EventOptions

    func validate() throws {
        try Arguments.provider(provider)
        try Identifier.group.check(group)
    }

    var planArguments: [String] {
        ["-p", provider, "--group", group, "--to=\(to)"] + (newestFirst ? ["--newest-first"] : [])
            + (replaceFailed ? ["--replace-failed"] : [])
    }

    /// With the group's MySQL login, the plan reads each member's role: it keeps the primary.
    func planArguments(_ spec: MachineSpec) -> [String] { planArguments + spec.roleArguments }

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine scale")
        try checkInProcess(Scale.self, planArguments + ["--check"])
        try EventLog.check(events.events)
        let merged = try MachineSpec.ofGroup(group, provider: provider, store: porcelain.store, overriddenBy: spec)
        try merged.login.exportPassword()
        let creation = Creation(porcelain: porcelain, provider: provider, spec: merged, count: 1, group: group, skipStore: false)
        try creation.check()
        try checkInProcess(Scale.self, planArguments(merged) + ["--check"])
        try porcelain.detachIfAsked()
        try porcelain.recordEvents(events.events)
        let timeout = try Arguments.seconds(merged.timeout, option: "--timeout", default: MachineSpec.defaultTimeout)
        let lock = try ScaleLock(store: porcelain.store, name: "scale/\(provider)/\(group)", wait: timeout)
        defer { lock.release() }
        let output = try scale(porcelain, merged, lock: lock)
        porcelain.summarize(provider: provider, group: group, output: output, status: 0)
        try porcelain.emit(output, columns: MachineColumns.list)
    }

    /// The plan, then what it says, holding the group's lock: the records destroyed and made.
    private func scale(_ porcelain: Porcelain, _ spec: MachineSpec, lock: ScaleLock) throws(FabricError) -> [UInt8] {
        let planned = try porcelain.run(Pipeline(porcelain.tool("fabric-scale", planArguments(spec))), output: .captured, tick: lock.renew)
        if planned.status != 0 {
            porcelain.summarize(provider: provider, group: group, output: [], status: planned.status)
            Tool.exit(planned.status)
        }
        guard let plan = try RecordReader.records(in: String(decoding: planned.output, as: UTF8.self), source: "fabric-scale").first else {
            throw FabricError.input("fabric-scale printed no plan")
        }
        let count = plan["create"]?.int ?? 0, live = plan["live"]?.int ?? 0
        let destroy = plan.strings("destroy"), unstored = Set(plan.strings("unstored"))
        let failed = plan.strings("failed"), gone = plan.strings("gone")
        if !failed.isEmpty && !replaceFailed {
            warn("group \(group): in ERROR, kept: \(failed.joined(separator: ",")) (--replace_failed replaces them)")
        }
        if !gone.isEmpty {
            warn("group \(group): gone from the cloud, not counted: \(gone.joined(separator: ",")) (machine destroy --force removes their rows)")
        }
        if count == 0 && destroy.isEmpty {
            warn("group \(group) has \(live) machines, nothing to do")
            return []
        }
        var output: [UInt8] = []
        if !destroy.isEmpty {
            let stored = try porcelain.machineRecords(provider, destroy.filter { !unstored.contains($0) }, unstored: false)
            let bare = try porcelain.machineRecords(provider, destroy.filter { unstored.contains($0) }, unstored: true)
            let (status, destroyed) = try MachineRemoval(porcelain: porcelain, provider: provider, force: false, hook: spec.destroyArguments)
                .destroy(stored + bare, output: .captured, tick: lock.renew)
            if status != 0 {
                porcelain.summarize(provider: provider, group: group, output: destroyed, status: status)
                Tool.exit(status)
            }
            output += destroyed
        }
        if count > 0 {
            var creation = Creation(porcelain: porcelain, provider: provider, spec: spec, count: count, group: group, skipStore: false)
            output += try creation.run(tick: lock.renew)
        }
        warn("group \(group): \(live) -> \(to) machines (\(count) created, \(destroy.count) destroyed)")
        return output
    }
}

/// The store's lock of one group's scales, held by this process and renewed while it works.
final class ScaleLock {
    let store: Store
    let name: String
    let holder = "\(hostName()):\(getpid())"
    static let lease = 30.0
    private var renewed = monotonicNow()

    init(store: Store, name: String, wait: Double) throws(FabricError) {
        self.store = store
        self.name = name
        // Said once, so a user (and a test) sees which scale waits for which.
        if case .held(let other, _) = try store.tryLock(name, holder: holder, lease: Self.lease) {
            warn("waiting for the lock \(quoted(name)), held by \(other)")
            try store.acquireLock(name, holder: holder, lease: Self.lease, wait: wait)
        }
        // A failed step ends the command with Tool.exit, which runs no defer: the lock goes
        // then too, not a lease later.
        Tool.onExit { [store, name, holder] in try? store.unlock(name, holder: holder) }
    }

    func renew() {
        guard monotonicNow() - renewed >= Self.lease / 3 else { return }
        renewed = monotonicNow()
        if (try? store.renewLock(name, holder: holder, lease: Self.lease)) != true {
            warn("the lease of lock \(quoted(name)) could not be renewed; another command may take it")
        }
    }

    func release() { try? store.unlock(name, holder: holder) }
}
