import ArgumentParser
import FabricCore

struct SnapshotTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-snapshot",
        abstract: "Create and destroy snapshots of machines.",
        version: fabricVersion,
        subcommands: [Create.self, Destroy.self])
}

/// Machines named on the command line (with -p) or machine records on standard input.
struct MachineInput: ParsableArguments {
    @Argument(help: ArgumentHelp("Machine UUIDs (with -p); without them, records are read.", valueName: "uuid"))
    var uuids: [String] = []

    func source(provider: String?) throws(FabricError) -> RecordSource {
        if uuids.isEmpty { return RecordSource(reader: RecordReader()) }
        guard let provider else { throw FabricError.usage("machine UUIDs need -p ID") }
        return RecordSource(records: uuids.map { JSON(["kind": JSON("machine"), "provider_id": JSON(provider), "uuid": JSON($0)]) })
    }
}

extension SnapshotTool {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Snapshot each machine; print a snapshot record for each.",
            discussion: """
                The snapshot is an image carrying the machine's UUID as the property \
                fabric_machine_uuid, so it can boot new machines (fabric-find-image --image \
                name=...) and be destroyed exactly with its machine. With --wait, each record is \
                printed once the snapshot is active, as fabric-wait would.
                """)

        @OptionGroup var providerOptions: ProviderOptions
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var machines: MachineInput

        @Option(help: ArgumentHelp("The snapshot's name (default: <machine name>-snapshot-<time>).", valueName: "name"))
        var name: String?

        @Flag(help: "Wait until each snapshot is active (spec: wait_spawning).")
        var wait = false

        @Option(help: ArgumentHelp("With --wait, give up after this many seconds (default 600).", valueName: "seconds"))
        var timeout: Double = 600

        func run() throws {
            guard timeout > 0 else { throw FabricError.usage("--timeout must be a positive number of seconds") }
            Interruption.install()
            let session = Session(store: storeOptions)
            var input = try machines.source(provider: providerOptions.provider)
            var created: [JSON] = []
            while let record = try input.next() {
                try Interruption.check()
                let uuid = try record.requiredString("uuid", in: "machine record")
                let providerID = try session.providerID(for: record, option: providerOptions.provider)
                let machineName = record["name"]?.string ?? String(uuid.prefix(8))
                let stamp = timestamp().filter { $0.isNumber }
                let snapshot = try session.provider(providerID)
                    .createSnapshot(of: uuid, name: name ?? "\(machineName)-snapshot-\(stamp)")
                if wait { created.append(snapshot.json()) } else { RecordWriter.standardOutput.write(snapshot.json()) }
            }
            if wait {
                RecordWriter.standardOutput.flushEachRecord = true
                try Waiter(timeout: timeout).wait(for: created, session: session, providerOption: providerOptions.provider) {
                    RecordWriter.standardOutput.write($0)
                }
            }
        }
    }

    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Destroy snapshots; print a record for each one destroyed.",
            discussion: """
                A machine record (or UUID) stands for every snapshot the provider holds of that \
                machine (by the fabric_machine_uuid property, never by name); a snapshot record \
                stands for itself, so `fabric-store list snapshots` can be piped in. Each \
                snapshot is destroyed once even when named both ways.
                """)

        @OptionGroup var providerOptions: ProviderOptions
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var machines: MachineInput

        @Flag(help: "Print snapshots the provider no longer has too, so their records are removed.")
        var force = false

        func run() throws {
            Interruption.install()
            let session = Session(store: storeOptions)
            var input = try machines.source(provider: providerOptions.provider)
            var done = Set<String>()
            var failures: [String] = []
            while let record = try input.next() {
                try Interruption.check()
                let providerID = try session.providerID(for: record, option: providerOptions.provider)
                let provider = try session.provider(providerID)
                var targets: [JSON] = []
                switch try RecordKind(of: record) {
                case .snapshot:
                    targets = [record]
                case .machine:
                    let uuid = try record.requiredString("uuid", in: "machine record")
                    targets = try provider.snapshots(of: uuid).map { $0.json() }
                default:
                    throw FabricError.input("fabric-snapshot destroy takes machine or snapshot records, not \(abbreviated(record))")
                }
                for target in targets {
                    let id = try target.requiredString("id", in: "snapshot record")
                    guard done.insert(providerID + "\u{0}" + id).inserted else { continue }
                    if let error = attempt({ () throws(FabricError) in try provider.destroySnapshot(id) }) {
                        if error.kind == .interrupted || error.kind == .provider { throw error }
                        if force {
                            warn("--force: forgetting snapshot \(id) although: \(error.message)")
                        } else {
                            warn(error.description)
                            failures.append(id)
                            continue
                        }
                    }
                    target["status"] = JSON("deleted")
                    target["provider_id"] = JSON(providerID)
                    RecordWriter.standardOutput.write(target)
                }
            }
            if !failures.isEmpty {
                throw FabricError.snapshot("\(failures.count) snapshot\(failures.count == 1 ? "" : "s") not destroyed: \(failures.joined(separator: ", "))",
                                           hint: "retry, or use --force to forget them")
            }
        }
    }
}

SnapshotTool.fabricMain()
