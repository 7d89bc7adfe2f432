import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords
import FabricStore
import Glibc

struct MachineCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create machines.",
        discussion: """
            Creates machines, all or nothing: on failure or interruption every machine this call \
            made is removed again and the command fails (MachineError, exit 1). Every option, and \
            the provider, is checked first: a typo costs no cloud request.

              fabric-find-image -p ID [--image KEY=VALUE]...
                | fabric-find-flavor -p ID [--flavor KEY=VALUE]...
                | fabric-boot -p ID --group GROUP --batch BATCH --number N [machine options, dashed]
                | fabric-public-address --timeout S   (with --wait_spawning or --public_network)
                | fabric-wait --timeout SECONDS [--until STAGES] [--mysql-user NAME ...]
                                                    (with --wait_spawning; --until address with --public_network)
                | fabric-store add                    (without --skip_store)
              then, with --group, the options kept for machine scale (fabric-store group --save)

            With --wait_spawning a machine is ready at the stages --ready names, else at those of \
            the provider's ready setting (--extra ready=STAGES; default active): \(ReadyStage.grammar). \
            A stage that fails or times out fails the create.
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @OptionGroup var spec: MachineSpec

    @Option(name: .spec("number_machines"), help: ArgumentHelp("How many machines (default 1).", valueName: "n"))
    var numberMachines: Int = 1

    @Option(name: .spec("group"), help: ArgumentHelp(
        "Put the machines in this named group, which keeps this create's options for machine scale (default: a group of their own).",
        valueName: "name"))
    var group: String?

    @Flag(name: .spec("skip_store"), help: "Do not record the machines in the store.")
    var skipStore = false

    @Flag(name: .spec("dry_run"), help: "Print what would be asked of the cloud; make nothing.")
    var dryRun = false

    @Flag(name: .spec("check"), help: "Check every option and the provider, then exit; ask the cloud nothing.")
    var check = false

    @OptionGroup var events: EventOptions

    func validate() throws {
        try Arguments.provider(provider)
        if let group { try Identifier.group.check(group) }
        guard (1...BootLimits.maximumCount).contains(numberMachines) else {
            throw FabricError.usage("--number_machines must be from 1 to \(BootLimits.maximumCount), not \(numberMachines)")
        }
    }

    func run() throws {
        let porcelain = try Porcelain(common, command: "machine create")
        try spec.login.exportPassword()
        var creation = Creation(porcelain: porcelain, provider: provider, spec: spec, count: numberMachines, group: group,
                                skipStore: skipStore)
        try creation.check()
        try EventLog.check(events.events)
        if check { return }
        if dryRun { Tool.exit(try porcelain.run(creation.dryRun()).status) }
        // What a background job would find out too late is found out now: the image and flavor.
        if common.synchronous == .detach { try creation.findImageAndFlavor() }
        try porcelain.detachIfAsked()
        try porcelain.recordEvents(events.events)
        let made = try creation.run()
        if group != nil && !skipStore {
            do {
                try porcelain.store.saveGroupOptions(provider: provider, group: creation.group, options: spec.kept)
            } catch {
                warn("the options of group \(creation.group) were not kept (\(error.message)); machine scale will need them given")
            }
        }
        porcelain.summarize(provider: provider, group: creation.group, output: made, status: 0)
        try porcelain.emit(made, columns: MachineColumns.list)
    }
}

/// One create: its pipeline, and what a failure or an interruption removes (this call's batch
/// of machines, found by the provider's tags, so what no pipe reported is found too).
struct Creation {
    let porcelain: Porcelain
    let provider: String
    let spec: MachineSpec
    let count: Int
    /// The group's name; without --group, a group of their own named by the batch.
    let group: String
    let named: Bool
    let batch: String
    let skipStore: Bool
    /// The members of a refresh these machines replace (meta fabric_replaces).
    var replaces: [String] = []

    init(porcelain: Porcelain, provider: String, spec: MachineSpec, count: Int, group: String?, skipStore: Bool) {
        self.porcelain = porcelain
        self.provider = provider
        self.spec = spec
        self.count = count
        batch = makeUUID()
        self.group = group ?? batch
        named = group != nil
        self.skipStore = skipStore
    }

    static let specTag = "fabric_spec"
    static let replacesTag = "fabric_replaces"

    /// fabric-boot's option names that the porcelain spells otherwise.
    static let renamed = ["--number": "--number_machines", "--until": "--ready", "--on-ready": "--on_ready",
                          "--before-destroy": "--before_destroy", "--hook-timeout": "--hook_timeout"]

    var bootArguments: [String] {
        var arguments = ["-p", provider, "--group", group, "--batch", batch, "--number=\(count)"] + spec.bootArguments
            + porcelain.eventArguments
        // A named group's machines are named after it, each create's apart: web-3f2a1b9c-1, ...
        // and say what they were made of, for machine refresh.
        if named { arguments += ["--name=\(group)-\(batch.prefix(8))", "--meta=\(Self.specTag)=\(spec.digest)"] }
        if !replaces.isEmpty { arguments.append("--meta=\(Self.replacesTag)=\(replaces.joined(separator: ","))") }
        return arguments
    }

    var findImage: [String] { porcelain.tool("fabric-find-image", ["-p", provider] + spec.image.map { "--image=\($0)" }) }
    var findFlavor: [String] { porcelain.tool("fabric-find-flavor", ["-p", provider] + spec.flavor.map { "--flavor=\($0)" }) }

    /// Every option and the provider, in this process: no request, and errors in the porcelain's words.
    func check() throws(FabricError) {
        if spec.login.address == "public" && spec.publicNetwork == nil && spec.publicNics.isEmpty {
            throw FabricError.usage("--address public needs --public_network or --public_nics: the machines would have no public address to connect to")
        }
        if spec.login.mysqlUser != nil && !spec.waits {
            throw FabricError.usage("--mysql_user logs in at the mysql stage of a wait: give --wait_spawning or --ready STAGES with mysql")
        }
        try checkInProcess(FindImage.self, ["-p", provider] + spec.image.map { "--image=\($0)" } + ["--check"], renamed: Self.renamed)
        try checkInProcess(FindFlavor.self, spec.flavor.map { "--flavor=\($0)" } + ["--check"], renamed: Self.renamed)
        try checkInProcess(Boot.self, porcelain.storeArguments + bootArguments + ["--check"], renamed: Self.renamed)
        try checkInProcess(Wait.self, porcelain.storeArguments + ["-p", provider] + spec.waitArguments + ["--check"], renamed: Self.renamed)
        if spec.beforeDestroy != nil && !named {
            throw FabricError.usage("--before_destroy is kept with a named group, which destroy and scale run it for: give --group NAME")
        }
        if let beforeDestroy = spec.beforeDestroy {
            do {
                _ = try Hook(.beforeDestroy, command: beforeDestroy,
                             timeout: try Arguments.seconds(spec.hookTimeout, option: "--hook_timeout", default: Hook.defaultTimeout))
            } catch {
                throw FabricError(error.kind, porcelainWords(error.message, Self.renamed), hint: error.hint)
            }
        }
        _ = try porcelain.store.provider(provider)
    }

    func dryRun() -> Pipeline {
        Pipeline([findImage, findFlavor, porcelain.tool("fabric-boot", bootArguments + ["--dry-run"])])
    }

    /// Asks the cloud for the image and flavor, and makes nothing.
    func findImageAndFlavor() throws(FabricError) {
        let found = try porcelain.run(Pipeline([findImage, findFlavor]), output: .discarded)
        if found.status != 0 { Tool.exit(found.status) }
    }

    var pipeline: Pipeline {
        var stages = [findImage, findFlavor, porcelain.tool("fabric-boot", bootArguments)]
        // Public addresses are given while the machines build (as soon as each has a port).
        if spec.waits {
            stages.append(porcelain.tool("fabric-public-address", ["--timeout=\(spec.timeoutText)"]))
            stages.append(porcelain.tool("fabric-wait", spec.waitArguments + porcelain.eventArguments))
        }
        if !skipStore { stages.append(porcelain.tool("fabric-store add", [])) }
        return Pipeline(stages)
    }

    /// Runs the pipeline and returns the records it printed; on failure or interruption removes
    /// this call's machines and ends the command as the pipeline ended (130 after Ctrl-C).
    mutating func run(tick: (() -> Void)? = nil) throws(FabricError) -> [UInt8] {
        Interruption.install()
        let outcome = try porcelain.run(pipeline, output: .captured, tick: tick)
        if outcome.status == 0 && outcome.interruptedBy == 0 { return outcome.output }
        let removed = Interruption.cleaningUp { removeBatch() }
        if outcome.interruptedBy != 0 {
            let signal = outcome.interruptedBy == SIGINT ? "SIGINT" : outcome.interruptedBy == SIGHUP ? "SIGHUP" : "SIGTERM"
            warn("interrupted by \(signal): " + (removed == 0 ? "nothing this create made was left"
                                                 : "removed the \(removed) machine\(removed == 1 ? "" : "s") this create made"))
            porcelain.summarize(provider: provider, group: named ? group : nil, output: [], status: 128 + outcome.interruptedBy)
            Tool.exit(128 + outcome.interruptedBy)
        }
        if removed > 0 { warn("removed the \(removed) machine\(removed == 1 ? "" : "s") the failed create left") }
        porcelain.summarize(provider: provider, group: named ? group : nil, output: [], status: outcome.status)
        Tool.exit(outcome.status)
    }

    /// Removes from the cloud and the store whatever of this batch is left; how many machines.
    private func removeBatch() -> Int {
        let listing = try? porcelain.run(Pipeline(porcelain.tool("fabric-list-machines", ["-p", provider, "--group", group,
                                                                                          "--where", "batch=\(batch)"])),
                                         output: .captured)
        let left = listing?.output ?? []
        let count = left.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        if count > 0 {
            _ = try? porcelain.run(Pipeline([porcelain.tool("fabric-destroy", ["--force"] + porcelain.eventArguments), porcelain.tool("fabric-store remove", [])],
                                            input: left), output: .discarded)
        }
        _ = try? porcelain.run(Pipeline(porcelain.tool("fabric-store remove", ["machine", "-p", provider, "--group", group,
                                                                              "--batch", batch])).quietly, output: .discarded)
        return count
    }
}
