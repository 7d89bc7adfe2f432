/// The null provider's `--extra key=value` knobs: timings and injected failures, so the
/// failure paths of every tool can be exercised without a cloud.
import FabricRecords

struct NullSettings {
    static let table: [ProviderSetting] = [
        ProviderSetting("build_seconds", "seconds in BUILD before ACTIVE", .seconds, default: "0.2"),
        ProviderSetting("snapshot_seconds", "seconds in saving before active", .seconds, default: "0.2"),
        ProviderSetting("latency_ms", "delay added to every call, as a slow cloud's API would", .milliseconds, default: "0"),
        ProviderSetting("fail_create", "true: every create call fails; nothing is made", .bool, default: "false"),
        ProviderSetting("fail_machine", "N: the Nth machine of each create call ends in ERROR", .count(1...10_000)),
        ProviderSetting("fail_snapshot", "true: every snapshot ends killed", .bool, default: "false"),
        ProviderSetting("fail_public_address", "true: attaching a public address fails", .bool, default: "false"),
        ProviderSetting("fail_destroy", "true: deleting a machine fails", .bool, default: "false"),
        ProviderSetting("availability_zones", "comma-separated zones", .list(), default: "nova,az2"),
        ProviderSetting("quota", "most machines the account may hold at once", .count(0...253), default: "200"),
    ]

    var buildSeconds: Double
    var snapshotSeconds: Double
    var latencySeconds: Double
    var failCreate: Bool
    /// The Nth machine (1-based) of each create call ends in ERROR.
    var failMachine: Int?
    var failSnapshot: Bool
    var failPublicAddress: Bool
    var failDestroy: Bool
    var availabilityZones: [String]
    var quota: Int

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        let settings = try ProviderSettings(extra, of: .null)
        buildSeconds = settings.seconds("build_seconds")
        snapshotSeconds = settings.seconds("snapshot_seconds")
        latencySeconds = settings.seconds("latency_ms")
        failCreate = settings.bool("fail_create")
        failMachine = settings.count("fail_machine")
        failSnapshot = settings.bool("fail_snapshot")
        failPublicAddress = settings.bool("fail_public_address")
        failDestroy = settings.bool("fail_destroy")
        availabilityZones = settings.list("availability_zones")
        quota = settings.count("quota")!
    }
}
