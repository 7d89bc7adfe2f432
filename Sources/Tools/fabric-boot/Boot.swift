import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct Boot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-boot",
        abstract: "Boot machines from the image and flavor in each record.",
        discussion: """
            For each record on standard input (with "image" and "flavor", as fabric-find-flavor \
            writes them), boots --number machines and prints one machine record per machine, in \
            BUILD, tagged with one group id for the whole call. All or nothing: if any machine \
            cannot be made, or the tool is interrupted, every machine it made is destroyed and \
            nothing is printed.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var inputOptions: InputOptions

    @Option(help: ArgumentHelp("How many machines to boot for each record (spec: number_machines).", valueName: "n"))
    var number: String = "1"

    @Option(name: .customLong("availability-zone"), help: ArgumentHelp("The availability zone to boot in.", valueName: "zone"))
    var availabilityZone: String?

    @Option(help: ArgumentHelp(
        "Spread the group's members: host (each on a host no other member is on; the create fails when the cloud cannot), soft (on different hosts as far as the cloud can), zone (round-robin over --availability-zones) or none.",
        valueName: "policy"), completion: .list(Spread.allCases.map(\.rawValue)))
    var spread: String?

    @Option(name: .customLong("max-per-host"), help: ArgumentHelp(
        "With --spread host: how many members of the group one host may hold (default 1).", valueName: "n"))
    var maxPerHost: String?

    @Option(name: .customLong("availability-zones"), help: ArgumentHelp(
        "With --spread zone: the zones to place members in, comma-separated.", valueName: "list"))
    var availabilityZones: String?

    @Option(name: .customLong("key-name"), help: ArgumentHelp("A key pair stored in the cloud, for SSH access.", valueName: "name"))
    var keyName: String?

    @Option(name: .customLong("security-groups"), help: ArgumentHelp(
        "Security groups, comma-separated (\"default, mysql\"); may be repeated.", valueName: "list"))
    var securityGroups: [String] = []

    @Option(name: .customLong("private-network"), help: ArgumentHelp(
        "The private network to place the machines in (DHCP). Excludes --private-nics.", valueName: "name"))
    var privateNetwork: String?

    @Option(name: .customLong("public-network"), help: ArgumentHelp(
        "The public network to take a floating address from (see fabric-public-address). Excludes --public-nics.",
        valueName: "name"))
    var publicNetwork: String?

    @Option(help: ArgumentHelp("A cloud-init user-data file run at first boot.", valueName: "file"), completion: .file())
    var userdata: String?

    @Option(help: ArgumentHelp("Size in MB of a swap device to attach.", valueName: "mb"))
    var swap: String?

    @Option(name: .customLong("block-device"), help: ArgumentHelp(
        "A block device mapping, dev=id:type:size:delete-on-terminate (e.g. vdb=VOLUME-ID:volume:10:true).",
        valueName: "spec"))
    var blockDevices: [String] = []

    @Option(name: .customLong("scheduler-hints"), help: ArgumentHelp(
        "A hint for the scheduler, as key=value; may be repeated.", valueName: "key=value"))
    var schedulerHints: [String] = []

    @Option(name: .customLong("private-nics"), help: ArgumentHelp(
        "A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID; may be repeated.", valueName: "spec"))
    var privateNics: [String] = []

    @Option(name: .customLong("public-nics"), help: ArgumentHelp(
        "A public NIC, net-id=ID or port-id=ID; may be repeated.", valueName: "spec"))
    var publicNics: [String] = []

    @Option(help: ArgumentHelp("Metadata to record on each machine, as key=value; may be repeated.", valueName: "key=value"))
    var meta: [String] = []

    @Option(name: [.customLong("files"), .customLong("file")], help: ArgumentHelp(
        "A file to inject, as dst-path=src-path; may be repeated.", valueName: "dst=src"), completion: .file())
    var files: [String] = []

    @Flag(name: .customLong("config-drive"), help: "Attach a config drive, so cloud-init finds its data without a metadata service.")
    var configDrive = false

    @Option(help: ArgumentHelp("The group id to tag the machines with (default: a new UUID).", valueName: "id"))
    var group: String?

    @Option(help: ArgumentHelp(
        "This call's own id, tagged on its machines beside the group, by which a failed create's clean-up finds them and no other machine of the group (default: the group when --group is not given, else a new UUID).",
        valueName: "id"))
    var batch: String?

    func validate() throws {
        if let group { try Identifier.group.check(group) }
        if let batch { try Identifier.group.check(batch) }
    }

    @Option(help: ArgumentHelp("Name machines <prefix>-1, <prefix>-2, ... (default: fabric-<group>).", valueName: "prefix"))
    var name: String?

    @Flag(name: .customLong("dry-run"), help: "Print what would be asked of the cloud, and boot nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Append a JSON line to this file (- for standard error) for each machine created.", valueName: "file"),
            completion: .file())
    var events: String?

    @Flag(help: "Check the options (and the files they name) and exit: read no input, contact no cloud; with -p, the provider's limits too (its record in the store).")
    var check = false

    /// The request the options describe, with what holds for every cloud checked (the files
    /// they name readable, the options consistent); each cloud's own limits are its provider's
    /// `BootLimits`, checked before that provider is sent anything.
    func request(image: String, flavor: String, group: String, batch: String, prefix: String) throws -> BootRequest {
        var request = BootRequest(imageID: image, flavorID: flavor, namePrefix: prefix, group: group)
        request.batch = batch
        try refuseEmptyValues()
        request.count = try parseCount(number, option: "--number", range: 1...BootLimits.maximumCount)
        request.availabilityZone = availabilityZone
        request.keyName = keyName
        request.securityGroups = securityGroups.flatMap { $0.split(separator: ",") }.map { String(String($0).trimmingSpaces) }
            .filter { !$0.isEmpty }
        try addNetworks(to: &request)
        if let userdata { request.userdata = try readFile(userdata).get() }
        if let swap { request.swapMB = try parseCount(swap, option: "--swap", range: 1...1_048_576) }
        for spec in blockDevices { request.blockDevices.append(try BlockDevice.parse(spec)) }
        request.schedulerHints = try parseKeyValues(schedulerHints, option: "--scheduler-hints")
        request.meta = try userMetadata()
        request.files = try injectedFiles()
        request.configDrive = configDrive
        try addSpread(to: &request)
        return request
    }

    /// --spread and the options that go with it, each only with its policy.
    private func addSpread(to request: inout BootRequest) throws {
        if let spread {
            guard let policy = Spread(rawValue: spread) else {
                throw FabricError.usage("--spread \(quoted(spread)): expected one of " + Spread.allCases.map(\.rawValue).joined(separator: ", "))
            }
            request.spread = policy
        }
        if let maxPerHost {
            guard request.spread == .host else { throw FabricError.usage("--max-per-host goes with --spread host") }
            request.maxPerHost = try parseCount(maxPerHost, option: "--max-per-host", range: 1...1000)
        }
        if let availabilityZones {
            guard request.spread == .zone else { throw FabricError.usage("--availability-zones goes with --spread zone") }
            var zones: [String] = []
            for zone in availabilityZones.split(separator: ",", omittingEmptySubsequences: false).map({ String(String($0).trimmingSpaces) }) {
                guard !zone.isEmpty else { throw FabricError.usage("--availability-zones \(quoted(availabilityZones)): an empty zone name") }
                if !zones.contains(zone) { zones.append(zone) }
            }
            request.availabilityZones = zones
        }
        switch request.spread {
        case .zone:
            guard !request.availabilityZones.isEmpty else { throw FabricError.usage("--spread zone needs --availability-zones ZONE,ZONE,...") }
            if availabilityZone != nil { throw FabricError.usage("--availability-zone and --spread zone exclude each other") }
        case .host, .soft:
            if request.schedulerHints.contains(where: { $0.key == "group" }) {
                throw FabricError.usage("--spread \(request.spread.rawValue) places the machines in the group's own server group; it excludes --scheduler-hints group=...")
            }
        case .none:
            break
        }
    }

    private func refuseEmptyValues() throws {
        for (option, value) in [("--availability-zone", availabilityZone), ("--key-name", keyName),
                                ("--private-network", privateNetwork), ("--public-network", publicNetwork),
                                ("--userdata", userdata), ("--swap", swap),
                                ("--spread", spread), ("--max-per-host", maxPerHost)] where value?.isEmpty == true {
            throw FabricError.usage("\(option) needs a value; it was given an empty one")
        }
    }

    /// The networks and NICs, each way of naming them excluding the other, and a NIC that names
    /// one address or port only for a single machine.
    private func addNetworks(to request: inout BootRequest) throws {
        if privateNetwork != nil && !privateNics.isEmpty {
            throw FabricError.usage("--private-network and --private-nics exclude each other")
        }
        if publicNetwork != nil && !publicNics.isEmpty {
            throw FabricError.usage("--public-network and --public-nics exclude each other")
        }
        request.privateNetwork = privateNetwork
        request.publicNetwork = publicNetwork
        for spec in privateNics { request.privateNics.append(try Nic.parse(spec, option: "--private-nics", allowFixedIP: true)) }
        for spec in publicNics { request.publicNics.append(try Nic.parse(spec, option: "--public-nics", allowFixedIP: false)) }
        guard request.count > 1 else { return }
        let nics = request.privateNics + request.publicNics
        if nics.contains(where: { $0.fixedIPv4 != nil }) {
            throw FabricError.usage("a v4-fixed-ip nic is one address for one machine; it cannot go with --number above 1")
        }
        if nics.contains(where: { $0.portID != nil }) {
            throw FabricError.usage("a port-id nic is one port for one machine; it cannot go with --number above 1")
        }
    }

    /// --meta, without the keys fabric tags its machines with.
    private func userMetadata() throws -> [(key: String, value: String)] {
        let meta = try parseKeyValues(meta, option: "--meta")
        for (key, _) in meta where FabricMetadata.reserved.contains(key) {
            throw FabricError.usage("--meta key \(quoted(key)) is reserved for fabric")
        }
        return meta
    }

    /// --files, each an absolute destination in the machine and a readable source here.
    private func injectedFiles() throws -> [(path: String, contents: [UInt8])] {
        try files.map { spec in
            let (destination, source) = try parseKeyValue(spec, option: "--files")
            guard destination.hasPrefix("/") else {
                throw FabricError.usage("--files \(quoted(spec)): the destination must be an absolute path")
            }
            return (destination, try readFile(source).get())
        }
    }

    func run() throws {
        let group = self.group ?? makeUUID()
        let batch = self.batch ?? (self.group == nil ? group : makeUUID())
        let prefix = name ?? "fabric-\(batch.prefix(8))"
        let options = try request(image: "-", flavor: "-", group: group, batch: batch, prefix: prefix)  // options fail before input is read
        let context = ToolContext(store: storeOptions)
        try EventLog.check(events)
        if check {
            // With -p, the provider's own limits too, from its record in the store: no cloud is asked.
            if let id = providerOptions.provider { try context.store.provider(id).type.kind.bootLimits.check(options) }
            return
        }
        Interruption.install()
        let events = try self.events.map { path throws(FabricError) in try EventLog(path: path, command: "fabric-boot") }
        var input = inputOptions.reader()
        var made: [(provider: any Provider, machines: [Machine])] = []
        var output: [JSON] = []
        do {
            var index = 0
            while let record = try input.next() {
                index += 1
                try Interruption.check()
                let providerID = try context.providerID(for: record, option: providerOptions.provider)
                guard let image = record["image"]?["id"]?.scalarText else {
                    throw FabricError.input("record \(index) has no image.id (pipe fabric-find-image into fabric-find-flavor into fabric-boot)")
                }
                guard let flavor = record["flavor"]?["id"]?.scalarText else {
                    throw FabricError.input("record \(index) has no flavor.id (pipe it through fabric-find-flavor first)")
                }
                let provider = try context.provider(providerID)
                let request = try self.request(image: image, flavor: flavor, group: group, batch: batch,
                                               prefix: index == 1 ? prefix : "\(prefix)-r\(index)")
                try provider.checkLimits(request)
                if dryRun {
                    for call in try provider.describeBoot(request) { output.append(call) }
                    continue
                }
                let machines = try provider.boot(request)
                made.append((provider, machines))
                for machine in machines {
                    events?.emit("created", ["uuid": JSON(machine.uuid), "name": JSON(machine.name), "group": JSON(group),
                                             "batch": JSON(batch), "address": machine.addresses.first.map { JSON($0) } ?? JSON.null])
                    let out = record.copy()
                    machine.apply(to: out)
                    out["group"] = JSON(group)
                    out["batch"] = JSON(batch)
                    if let network = publicNetwork { out["public_network"] = JSON(network) }
                    output.append(out)
                }
                try Interruption.check()
            }
        } catch let error as FabricError {
            rollBack(made, events: events)
            throw error
        }
        for record in output { RecordWriter.standardOutput.write(record) }
    }

    /// Destroys what this call made. A machine that cannot be destroyed is named, so it is not lost.
    func rollBack(_ made: [(provider: any Provider, machines: [Machine])], events: EventLog?) {
        Interruption.cleaningUp {
            for (provider, machines) in made {
                let failures: [String: FabricError]
                do throws(FabricError) {
                    failures = try provider.destroy(machines.map { MachineRef(uuid: $0.uuid, publicAddresses: $0.publicAddresses) },
                                                    force: false)
                } catch {
                    failures = Dictionary(uniqueKeysWithValues: machines.map { ($0.uuid, error) })
                }
                for (uuid, error) in failures.sorted(by: { $0.key < $1.key }) {
                    warn("could not remove machine \(uuid) on provider \(quoted(provider.record.id)) after the failure: \(error.description); remove it with: fabric machine destroy \(provider.record.id) \(uuid) --skip_store")
                }
                // The events say what went, as they said what was made.
                for machine in machines where failures[machine.uuid] == nil {
                    events?.emit("destroyed", ["uuid": JSON(machine.uuid), "kind": JSON("machine")])
                }
            }
        }
    }
}
