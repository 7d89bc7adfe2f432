import FabricProviders
import FabricRecords

/// One machine or snapshot to delete, already read and checked.
public struct DestroyTarget {
    public let record: JSON
    public let id: String
    public let provider: any Provider

    public init(record: JSON, id: String, provider: any Provider) {
        self.record = record
        self.id = id
        self.provider = provider
    }
}

/// fabric-destroy's and fabric-snapshot destroy's shared work: delete the targets and print
/// each one's record with `deletedStatus`, for `fabric-store remove`. An interruption or a
/// provider failure stops the run; a delete the cloud refuses is skipped (its record is not
/// printed, so the store keeps it) and named in the error at the end; with `force` it is
/// printed anyway, with a warning, so its record can be forgotten.
public struct Destruction {
    public let force: Bool
    public let kind: FabricError.Kind
    public let noun: String
    public let deletedStatus: String
    /// Where `destroying` and `destroyed` are told.
    public let events: EventLog?

    public init(force: Bool, kind: FabricError.Kind, noun: String, deletedStatus: String, events: EventLog? = nil) {
        self.force = force
        self.kind = kind
        self.noun = noun
        self.deletedStatus = deletedStatus
        self.events = events
    }

    /// Deletes one target at a time (snapshots).
    public func run(_ targets: [DestroyTarget],
                    delete: (any Provider, String) throws(FabricError) -> Void) throws(FabricError) {
        try run(targets, deleteAll: { (provider, batch) throws(FabricError) in
            var failures: [String: FabricError] = [:]
            for target in batch {
                try Interruption.check()
                if let error = attempt({ () throws(FabricError) in try delete(provider, target.id) }) {
                    if error.kind == .interrupted || error.kind == .provider { throw error }
                    failures[target.id] = error
                }
            }
            return failures
        })
    }

    /// Deletes the targets of each provider together (machines: all deleted, then one wait).
    public func run(_ targets: [DestroyTarget],
                    deleteAll: (any Provider, [DestroyTarget]) throws(FabricError) -> [String: FabricError]) throws(FabricError) {
        var failed: [String] = []
        var order: [String] = []
        var batches: [String: [DestroyTarget]] = [:]
        for target in targets {
            let key = target.provider.record.id
            if batches[key] == nil { order.append(key) }
            batches[key, default: []].append(target)
        }
        for key in order {
            try Interruption.check()
            let batch = batches[key]!
            for target in batch { events?.emit("destroying", ["uuid": JSON(target.id), "kind": JSON(noun)]) }
            let failures = try deleteAll(batch[0].provider, batch)
            for target in batch {
                if let error = failures[target.id] {
                    if force {
                        warn("--force: forgetting \(noun) \(target.id) although: \(error.message)")
                    } else {
                        warn(error.description)
                        failed.append(target.id)
                        continue
                    }
                }
                target.record["status"] = JSON(deletedStatus)
                target.record["provider_id"] = JSON(target.provider.record.id)
                RecordWriter.standardOutput.write(target.record)
                events?.emit("destroyed", ["uuid": JSON(target.id), "kind": JSON(noun)])
            }
        }
        if !failed.isEmpty {
            throw FabricError(kind, "\(failed.count) \(noun)\(failed.count == 1 ? "" : "s") not destroyed: \(failed.joined(separator: ", "))",
                              hint: "retry, or use --force to forget them")
        }
    }
}
