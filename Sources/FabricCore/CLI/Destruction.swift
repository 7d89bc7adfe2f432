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

/// fabric-destroy's and fabric-snapshot destroy's shared work: delete each target and print its
/// record with `deletedStatus`, for `fabric-store remove`. An interruption or a provider
/// failure stops the run; a delete the cloud refuses is skipped (its record is not printed, so
/// the store keeps it) and named in the error at the end; with `force` it is printed anyway,
/// with a warning, so its record can be forgotten.
public struct Destruction {
    public let force: Bool
    public let kind: FabricError.Kind
    public let noun: String
    public let deletedStatus: String

    public init(force: Bool, kind: FabricError.Kind, noun: String, deletedStatus: String) {
        self.force = force
        self.kind = kind
        self.noun = noun
        self.deletedStatus = deletedStatus
    }

    public func run(_ targets: [DestroyTarget],
                    delete: (any Provider, String) throws(FabricError) -> Void) throws(FabricError) {
        var failed: [String] = []
        for target in targets {
            try Interruption.check()
            if let error = attempt({ () throws(FabricError) in try delete(target.provider, target.id) }) {
                if error.kind == .interrupted || error.kind == .provider { throw error }
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
        }
        if !failed.isEmpty {
            throw FabricError(kind, "\(failed.count) \(noun)\(failed.count == 1 ? "" : "s") not destroyed: \(failed.joined(separator: ", "))",
                              hint: "retry, or use --force to forget them")
        }
    }
}
