import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct SnapshotTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-snapshot",
        abstract: "Create and destroy snapshots of machines.",
        version: fabricVersionLine,
        subcommands: [Create.self, Destroy.self])
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
            let context = ToolContext(store: storeOptions)
            // Read and check every record before the first snapshot is made, so bad input
            // changes nothing.
            var targets: [(uuid: String, name: String, provider: any Provider)] = []
            for record in try machines.records(provider: providerOptions.provider) {
                let uuid = try record.requiredString("uuid", in: "machine record")
                try Identifier.machine.check(uuid)
                let provider = try context.provider(try context.providerID(for: record, option: providerOptions.provider))
                let machineName = record["name"]?.string ?? String(uuid.prefix(8))
                let stamp = timestamp().filter { $0.isNumber }
                targets.append((uuid, name ?? "\(machineName)-snapshot-\(stamp)", provider))
            }
            var created: [(snapshot: Snapshot, provider: any Provider)] = []
            do {
                for target in targets {
                    try Interruption.check()
                    // A createImage is not abandoned on a signal: its reply names the image, so
                    // an interruption after it removes the image rather than leave it unrecorded.
                    created.append((try target.provider.createSnapshot(of: target.uuid, name: target.name), target.provider))
                }
                try Interruption.check()
                guard wait else {
                    for (snapshot, _) in created { RecordWriter.standardOutput.write(snapshot.json()) }
                    return
                }
                RecordWriter.standardOutput.flushEachRecord = true
                var printed = Set<String>()
                do {
                    try Waiter(timeout: timeout).wait(for: created.map { $0.snapshot.json() }, context: context,
                                                      providerOption: providerOptions.provider) {
                        printed.insert($0["id"]?.string ?? "")
                        RecordWriter.standardOutput.write($0)
                    }
                } catch {
                    created.removeAll { printed.contains($0.snapshot.id) }
                    throw error
                }
            } catch {
                // Printed snapshots go on to the store; the others would be lost, so they go.
                removeUnreported(created)
                throw error
            }
        }

        /// Destroys snapshots made by this run that no record reported: a failed, timed-out or
        /// interrupted --wait must not leave a snapshot that the store never hears of.
        func removeUnreported(_ created: [(snapshot: Snapshot, provider: any Provider)]) {
            Interruption.cleaningUp {
                for (snapshot, provider) in created {
                    if let error = attempt({ () throws(FabricError) in try provider.destroySnapshot(snapshot.id) }) {
                        warn("could not remove snapshot \(snapshot.id) on provider \(quoted(provider.record.id)) after the failure: \(error.description); remove it with: fabric-snapshot destroy -p \(provider.record.id) \(snapshot.machineUUID)")
                    } else {
                        warn("removed snapshot \(snapshot.id) of machine \(snapshot.machineUUID), which was not ready")
                    }
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
            let context = ToolContext(store: storeOptions)
            // Read and check every record, and find every snapshot, before the first is destroyed.
            var targets: [DestroyTarget] = []
            var seen = Set<String>()
            for record in try machines.records(provider: providerOptions.provider) {
                let provider = try context.provider(try context.providerID(for: record, option: providerOptions.provider))
                let snapshots: [JSON]
                switch try RecordKind(of: record) {
                case .snapshot:
                    try Identifier.snapshot.check(try record.requiredString("id", in: "snapshot record"))
                    snapshots = [record]
                case .machine:
                    let uuid = try record.requiredString("uuid", in: "machine record")
                    try Identifier.machine.check(uuid)
                    snapshots = try provider.snapshots(of: uuid).map { $0.json() }
                default:
                    throw FabricError.input("fabric-snapshot destroy takes machine or snapshot records, not \(abbreviated(record))")
                }
                for snapshot in snapshots {
                    let id = try snapshot.requiredString("id", in: "snapshot record")
                    guard seen.insert(provider.record.id + "\u{0}" + id).inserted else { continue }
                    targets.append(DestroyTarget(record: snapshot, id: id, provider: provider))
                }
            }
            try Destruction(force: force, kind: .snapshot, noun: "snapshot", deletedStatus: "deleted")
                .run(targets) { (provider, id) throws(FabricError) in try provider.destroySnapshot(id) }
        }
    }
}
