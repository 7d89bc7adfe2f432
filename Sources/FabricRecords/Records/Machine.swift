/// A machine as the provider reports it. `apply(to:)` writes these fields into a record and
/// keeps every other field, so users' own fields survive the pipeline.
public struct Machine {
    public var uuid: String
    public var providerID: String
    public var name: String
    public var group: String?
    /// The create call that made it, within its group.
    public var batch: String?
    /// The provider's status: BUILD, ACTIVE, ERROR, DELETED, ...
    public var status: String
    public var avZone: String?
    /// The host it runs on as the cloud shows it to its users (Nova's hostId, a hash of the
    /// project and the compute host; the null provider's emulated host), once it has one.
    public var hostID: String?
    /// How its group spreads its members (fabric_spread): host, host:N, soft or zone.
    public var spread: String?
    /// Private addresses first, then public ones.
    public var addresses: [String]
    public var publicAddresses: [String]
    /// Why the machine is in ERROR, in the provider's words.
    public var fault: String?
    public var created: String?
    public var imageID: String?
    public var flavorID: String?
    public var metadata: [(key: String, value: String)]

    public init(uuid: String, providerID: String, name: String, group: String? = nil, batch: String? = nil, status: String,
                avZone: String? = nil, addresses: [String] = [], publicAddresses: [String] = [],
                fault: String? = nil, created: String? = nil, imageID: String? = nil, flavorID: String? = nil,
                metadata: [(key: String, value: String)] = []) {
        self.uuid = uuid
        self.providerID = providerID
        self.name = name
        self.group = group
        self.batch = batch
        self.status = status
        self.avZone = avZone
        self.addresses = addresses
        self.publicAddresses = publicAddresses
        self.fault = fault
        self.created = created
        self.imageID = imageID
        self.flavorID = flavorID
        self.metadata = metadata
    }

    public func apply(to record: JSON) {
        record["kind"] = JSON("machine")
        record["uuid"] = JSON(uuid)
        record["provider_id"] = JSON(providerID)
        record["name"] = JSON(name)
        if let group { record["group"] = JSON(group) }
        if let batch { record["batch"] = JSON(batch) }
        record["status"] = JSON(status)
        record["av_zone"] = avZone.map(JSON.init) ?? .null
        if let hostID { record["host_id"] = JSON(hostID) }
        if let spread { record["spread"] = JSON(spread) }
        record["addresses"] = JSON(addresses)
        record["public_addresses"] = JSON(publicAddresses)
        if let fault { record["fault"] = JSON(fault) } else { record["fault"] = nil }
        if let created { record["created"] = JSON(created) }
        if let imageID, record["image"] == nil { record["image"] = JSON(["id": JSON(imageID)]) }
        if let flavorID, record["flavor"] == nil { record["flavor"] = JSON(["id": JSON(flavorID)]) }
        if !metadata.isEmpty {
            let meta = JSON.object()
            for (key, value) in metadata { meta[key] = JSON(value) }
            record["meta"] = meta
        }
    }

    /// Writes the cloud's view into the record, keeping an address given while the machine
    /// built, which may reach the cloud's view of it a moment later.
    public func merge(into record: JSON) {
        let given = record.strings("public_addresses").filter { !publicAddresses.contains($0) }
        apply(to: record)
        if !given.isEmpty {
            record["public_addresses"] = JSON(publicAddresses + given)
            record["addresses"] = JSON(addresses + given)
        }
    }

    public func json() -> JSON {
        let record = JSON.object()
        apply(to: record)
        return record
    }

    public var isReady: Bool { status == "ACTIVE" }
    public var isFailed: Bool { status == "ERROR" }
    /// Set by a provider whose cloud shows a removed machine in another status (EC2's
    /// shutting-down and terminated instances are ERROR, so that a wait fails at once).
    public var removed = false
    /// Being removed or removed: no longer a member of its group.
    public var isGone: Bool { removed || status == "DELETED" || status == "SOFT_DELETED" }
}

public struct Snapshot {
    public var id: String
    public var name: String
    public var machineUUID: String
    public var providerID: String
    /// Glance's words: queued, saving, active, killed, deleted.
    public var status: String
    public var created: String?
    public var fault: String?

    public init(id: String, name: String, machineUUID: String, providerID: String, status: String,
                created: String? = nil, fault: String? = nil) {
        self.id = id
        self.name = name
        self.machineUUID = machineUUID
        self.providerID = providerID
        self.status = status
        self.created = created
        self.fault = fault
    }

    public func apply(to record: JSON) {
        record["kind"] = JSON("snapshot")
        record["id"] = JSON(id)
        record["name"] = JSON(name)
        record["machine_uuid"] = JSON(machineUUID)
        record["provider_id"] = JSON(providerID)
        record["status"] = JSON(status)
        if let created { record["created"] = JSON(created) }
        if let fault { record["fault"] = JSON(fault) } else { record["fault"] = nil }
    }

    public func json() -> JSON {
        let record = JSON.object()
        apply(to: record)
        return record
    }

    public var isReady: Bool { status == "active" }
    public var isFailed: Bool { status == "killed" || status == "deleted" || status == "error" }
}

/// What a record on the pipe is, from its `kind` field or, for records users wrote by hand,
/// from the fields it has.
public enum RecordKind: String {
    case machine, snapshot, provider, image, flavor

    public init(of record: JSON) throws(FabricError) {
        if let kind = record["kind"] {
            guard let name = kind.string, let known = RecordKind(rawValue: name) else {
                throw FabricError.input("unknown record kind \(kind.encoded()) (expected machine, snapshot or provider)")
            }
            self = known
        } else if record["machine_uuid"] != nil && record["id"] != nil {
            self = .snapshot
        } else if record["uuid"] != nil {
            self = .machine
        } else {
            throw FabricError.input("record has neither \"kind\" nor \"uuid\": \(abbreviated(record))")
        }
    }
}

/// A record shortened for an error message.
public func abbreviated(_ record: JSON) -> String {
    let text = record.encoded()
    return text.count <= 120 ? text : String(text.prefix(117)) + "..."
}

extension JSON {
    /// A required string field of an input record, with an error naming the field.
    public func requiredString(_ key: String, in what: String = "record") throws(FabricError) -> String {
        guard let value = self[key] else {
            throw FabricError.input("\(what) lacks \"\(key)\": \(abbreviated(self))")
        }
        guard let text = value.string, !text.isEmpty else {
            throw FabricError.input("\(what) field \"\(key)\" must be a non-empty string, found \(abbreviated(value))")
        }
        return text
    }
}

/// A machine record's `stopped_at` (fabric-records(7)): the stage a tool held it at when the
/// tool ended without it being ready, why, the seconds spent there, and whether it failed.
/// fabric-wait and fabric-public-address write it; fabric-store add keeps it.
/// `timedOut`: the step gave up waiting (a TimeoutError), which a later step passes on as such.
public func stoppedAt(stage: String, reason: String, seconds: Double, failed: Bool, timedOut: Bool = false) -> JSON {
    let stopped = JSON.object()
    stopped["stage"] = JSON(stage)
    stopped["reason"] = JSON(reason)
    stopped["seconds"] = JSON((seconds * 100).rounded() / 100)
    stopped["failed"] = JSON(failed)
    if timedOut { stopped["timed_out"] = JSON(true) }
    return stopped
}
