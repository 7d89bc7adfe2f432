/// The null provider's `--extra key=value` knobs: timings and injected failures, so the
/// failure paths of every tool can be exercised without a cloud.
import FabricRecords

struct NullSettings {
    /// Seconds a machine stays in BUILD before it is ACTIVE (or ERROR).
    var buildSeconds = 0.2
    /// Seconds a snapshot stays in saving before it is active (or killed).
    var snapshotSeconds = 0.2
    /// Delay added to every call, as a slow cloud's API would.
    var latencySeconds = 0.0
    /// The create call itself fails; nothing is made.
    var failCreate = false
    /// The Nth machine (1-based) of each create call ends in ERROR.
    var failMachine: Int?
    /// Every snapshot ends killed.
    var failSnapshot = false
    /// Attaching a public address fails.
    var failPublicAddress = false
    /// Deleting a machine fails.
    var failDestroy = false
    var availabilityZones = ["nova", "az2"]
    /// Most machines the account may hold at once.
    var quota = 200

    static let keys: [(name: String, help: String)] = [
        ("build_seconds", "seconds in BUILD before ACTIVE (default 0.2)"),
        ("snapshot_seconds", "seconds in saving before active (default 0.2)"),
        ("latency_ms", "delay added to every call (default 0)"),
        ("fail_create", "true: every create call fails"),
        ("fail_machine", "N: the Nth machine of each create call ends in ERROR"),
        ("fail_snapshot", "true: every snapshot ends killed"),
        ("fail_public_address", "true: attaching a public address fails"),
        ("fail_destroy", "true: deleting a machine fails"),
        ("availability_zones", "comma-separated zones (default nova,az2)"),
        ("quota", "most machines at once (default 200)"),
    ]

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        for (key, value) in extra {
            switch key {
            case "build_seconds": buildSeconds = try Self.seconds(key, value)
            case "snapshot_seconds": snapshotSeconds = try Self.seconds(key, value)
            case "latency_ms": latencySeconds = try Self.seconds(key, value) / 1000
            case "fail_create": failCreate = try Self.flag(key, value)
            case "fail_machine": failMachine = try parseCount(value, option: "--extra fail_machine", range: 1...10_000)
            case "fail_snapshot": failSnapshot = try Self.flag(key, value)
            case "fail_public_address": failPublicAddress = try Self.flag(key, value)
            case "fail_destroy": failDestroy = try Self.flag(key, value)
            case "availability_zones":
                availabilityZones = value.split(separator: ",").map { String(String($0).trimmingSpaces) }.filter { !$0.isEmpty }
                if availabilityZones.isEmpty { throw FabricError.usage("--extra availability_zones needs at least one zone") }
            case "quota": quota = try parseCount(value, option: "--extra quota", range: 0...253)
            default:
                throw FabricError.usage("unknown --extra key \(quoted(key)) for a NULLPROVIDER",
                                        hint: "known keys: " + Self.keys.map(\.name).joined(separator: ", "))
            }
        }
    }

    private static func seconds(_ key: String, _ value: String) throws(FabricError) -> Double {
        guard let number = Double(value), number >= 0, number <= 86_400 else {
            throw FabricError.usage("--extra \(key) must be a number from 0 to 86400, not \(quoted(value))")
        }
        return number
    }

    private static func flag(_ key: String, _ value: String) throws(FabricError) -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw FabricError.usage("--extra \(key) must be true or false, not \(quoted(value))")
        }
    }
}
