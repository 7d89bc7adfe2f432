import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords

struct PublicAddress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-public-address",
        abstract: "Give each machine an address on a public network, as soon as it can have one.",
        discussion: """
            For each machine record, takes a floating address on --network (or on the record's \
            public_network, as fabric-boot --public-network writes it) and adds it to \
            public_addresses and addresses. Records with neither pass through unchanged, at once. \
            A machine gets its address as soon as the provider can give it one (on OpenStack once \
            its port exists, while it still builds), so it can sit between fabric-boot and \
            fabric-wait: each round asks about every machine still without an address at once, \
            and each record is printed as soon as its address is given. fabric-destroy releases \
            the addresses again.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The public (external) network to take addresses from.", valueName: "name"))
    var network: String?

    @Option(help: ArgumentHelp("Give up on machines still without an address after this many seconds (default 600).",
                               valueName: "seconds"))
    var timeout: Double = 600

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw FabricError.usage("--timeout must be a positive number of seconds") }
    }

    /// The machines of one provider waiting for an address on one network.
    private struct Batch {
        let provider: any Provider
        let network: String
        var records: [String: JSON] = [:]
        var order: [String] = []
    }

    func run() throws {
        Interruption.install()
        let context = ToolContext(store: storeOptions)
        // Every record (and its provider) is read and checked before the first address is
        // taken, so bad input takes none. Records that need no address pass on as their text.
        var reader = RecordReader()
        var unchanged: [String] = []
        var batches: [Batch] = []
        try reader.readAll { (record) throws(FabricError) in
            guard let network = network ?? record["public_network"]?.string else {
                unchanged.append(record.encoded())
                return
            }
            let uuid = try record.requiredString("uuid", in: "machine record")
            try Identifier.machine.check(uuid)
            let provider = try context.provider(try context.providerID(for: record, option: providerOptions.provider))
            let index = batches.firstIndex { $0.provider === provider && $0.network == network } ?? {
                batches.append(Batch(provider: provider, network: network))
                return batches.count - 1
            }()
            if batches[index].records[uuid] == nil { batches[index].order.append(uuid) }
            batches[index].records[uuid] = record
        }
        let writer = RecordWriter.standardOutput
        writer.flushEachRecord = true
        for text in unchanged { writer.write(line: text) }
        // A failure or an interrupt leaves the machines in the cloud: their records still go on,
        // stopped at the address stage, so that fabric-store add downstream loses none.
        let started = monotonicNow()
        func passOnStopped(_ reason: String, failed: Bool, timedOut: Bool = false) {
            for batch in batches {
                for uuid in batch.order {
                    guard let record = batch.records[uuid] else { continue }
                    record["stopped_at"] = stoppedAt(stage: "address", reason: reason, seconds: monotonicNow() - started, failed: failed,
                                                     timedOut: timedOut)
                    writer.write(record)
                }
            }
        }
        let outcome: Backoff.Outcome
        do {
            outcome = try polledAddresses(&batches, writer: writer)
        } catch {
            passOnStopped(error.message, failed: true)
            throw error
        }
        switch outcome {
        case .done: return
        case .interrupted:
            passOnStopped("interrupted", failed: false)
            try Interruption.check()
        case .timedOut:
            let left = batches.flatMap(\.order)
            passOnStopped("no public address after \(formatSeconds(timeout))", failed: true, timedOut: true)
            throw FabricError(.timeout, "\(left.count) machine\(left.count == 1 ? "" : "s") without a public address after \(formatSeconds(timeout)): \(left.prefix(10).joined(separator: ", "))")
        }
    }

    /// Attaches addresses until every machine has one, writing each record as it gets it.
    private func polledAddresses(_ batches: inout [Batch], writer: RecordWriter) throws(FabricError) -> Backoff.Outcome {
        try Backoff(first: 0.25, factor: 1.5, cap: 1).poll(timeout: timeout) { () throws(FabricError) in
            for index in batches.indices where !batches[index].order.isEmpty {
                let batch = batches[index]
                for (uuid, address) in try batch.provider.attachPublicAddresses(batch.order, network: batch.network) {
                    guard let record = batch.records[uuid] else { continue }
                    if !record.strings("public_addresses").contains(address) {
                        record["public_addresses"] = JSON(record.strings("public_addresses") + [address])
                        record["addresses"] = JSON(record.strings("addresses") + [address])
                    }
                    record["public_network"] = JSON(batch.network)
                    writer.write(record)
                    batches[index].order.removeAll { $0 == uuid }
                }
            }
            return !batches.contains(where: { !$0.order.isEmpty })
        }
    }
}
