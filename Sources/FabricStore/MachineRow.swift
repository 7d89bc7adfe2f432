import FabricRecords

/// A machine record as the store keeps it: the columns it is looked up by and its compact text.
/// `fabric-store add` turns each record into one as it reads, so 100,000 records wait for their
/// transaction as ~0.5 KB rows rather than as jansson trees (~4 KB each: 410 MB peak RSS, and
/// page faults and malloc a large part of the run; Tests/Benchmarks/run throughput). The text
/// is encoded once and serves both the row and the record passed on.
public struct MachineRow {
    public let uuid: String
    public let providerID: String
    public let avZone: String?
    public let addresses: String
    public let status: String?
    public let group: String?
    public let created: String?
    /// The whole record, compact JSON.
    public let text: String

    public init(_ record: JSON) throws(FabricError) {
        uuid = try record.requiredString("uuid", in: "machine record")
        providerID = try record.requiredString("provider_id", in: "machine record")
        avZone = record["av_zone"]?.string
        addresses = record["addresses"]?.encoded() ?? "[]"
        status = record["status"]?.string
        group = record["group"]?.string
        created = record["created"]?.string
        text = record.encoded()
        let widths = MachineRow.widths
        for (index, value) in [uuid, providerID, avZone, status, group, created].enumerated() {
            try widths[index].width.check(value, as: "machine record's \"\(widths[index].field)\"")
        }
        // After the widths, whose message says which column is too narrow.
        try Identifier.machine.check(uuid)
        try Identifier.provider.check(providerID)
        if let group { try Identifier.group.check(group) }
    }

    /// The record's fields kept in columns, in the order init checks them.
    private static let widths = [("uuid", "machine_uuid"), ("provider_id", "provider_id"), ("av_zone", "av_zone"),
                                 ("status", "status"), ("group", "group_id"), ("created", "created")]
        .map { (field: $0.0, width: Schema.Width("machines", $0.1)) }
}

/// A snapshot record's fields that the store keeps in columns, checked as MachineRow checks a
/// machine's: present, and short enough for their columns.
public enum SnapshotRow {
    public static func check(_ record: JSON) throws(FabricError) {
        let ids: [(String, String, Identifier)] = [("id", "snapshot_id", .snapshot), ("provider_id", "provider_id", .provider),
                                                   ("machine_uuid", "machine_uuid", .machine)]
        for (field, column, rule) in ids {
            let value = try rule.check(try record.requiredString(field, in: "snapshot record"))
            try Schema.check(value, fits: "snapshots", column, as: "snapshot record's \"\(field)\"")
        }
        for field in ["name", "status", "created"] {
            try Schema.check(record[field]?.string, fits: "snapshots", field, as: "snapshot record's \"\(field)\"")
        }
    }
}
