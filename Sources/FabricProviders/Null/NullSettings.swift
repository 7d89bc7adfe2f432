import FabricRecords
import Glibc

/// The null provider's `--extra key=value` knobs: timings and injected failures, so the
/// failure paths of every tool can be exercised without a cloud.
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
        ProviderSetting("hosts", "how many compute hosts the cloud has: machines go to the least loaded; a --spread host group takes one each", .count(1...1000), default: "3"),
        ProviderSetting("server_group_members", "most members one spread group (a Nova server group) may hold, as Nova's quota", .count(1...10_000), default: "10"),
        ProviderSetting("spread_race", "N: the Nth machine of each --spread host create lands on a host another member holds, as when a cloud's late anti-affinity check misses concurrent creates",
                        .count(1...10_000)),
        ProviderSetting("quota", "most machines the account may hold at once", .count(0...253), default: "200"),
        ProviderSetting("cloud_init_seconds", "seconds after ACTIVE until the boot log shows cloud-init finished",
                        .seconds, default: "0.5"),
        ProviderSetting("fail_cloud_init", "N: the boot log of the Nth machine of each create call shows its user script failing",
                        .count(1...10_000)),
        ProviderSetting("service_seconds", "seconds after ACTIVE until an emulated machine's ports answer (without address_pool)",
                        .seconds, default: "0.3"),
        ProviderSetting("address_pool", "FIRST-LAST on 127.0.0.0/8: machines' addresses, private and public, come from it, so the port and mysql stages connect to servers a test runs there",
                        .shaped("a range of loopback addresses such as 127.0.0.2-127.0.0.9", check: { AddressPool($0) != nil })),
        ProviderSetting("execute_userdata", "true (with address_pool): a machine whose user data is a script runs it on this host, as the machine, in MACHINES_DIR/UUID; destroying the machine ends it",
                        .bool, default: "false"),
        ProviderSetting("machines_dir", "where the machines of execute_userdata keep their directories (default: $TMPDIR/fabric-machines-UID)",
                        .shaped("an absolute path", check: { $0.hasPrefix("/") })),
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
    var hosts: Int
    var serverGroupMembers: Int
    /// The Nth machine (1-based) of each --spread host create shares a host with another member.
    var spreadRace: Int?
    var cloudInitSeconds: Double
    /// The Nth machine (1-based) of each create call logs its user script failing.
    var failCloudInit: Int?
    var serviceSeconds: Double
    var addressPool: AddressPool?
    /// Machines run their user data here; nil unless `execute_userdata` is set.
    var processes: NullMachineProcesses?

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
        hosts = settings.count("hosts")!
        serverGroupMembers = settings.count("server_group_members")!
        spreadRace = settings.count("spread_race")
        cloudInitSeconds = settings.seconds("cloud_init_seconds")
        failCloudInit = settings.count("fail_cloud_init")
        serviceSeconds = settings.seconds("service_seconds")
        addressPool = settings.text("address_pool").flatMap(AddressPool.init)
        if settings.bool("execute_userdata") {
            // A machine that runs here must answer on an address of this host, and only there.
            guard addressPool != nil else {
                throw FabricError.usage("execute_userdata=true needs address_pool=FIRST-LAST on 127.0.0.0/8: the machines' servers listen on their loopback addresses")
            }
            processes = NullMachineProcesses(root: settings.text("machines_dir")
                ?? "\(environment("TMPDIR") ?? "/tmp")/fabric-machines-\(getuid())")
        }
    }
}

/// A range of loopback addresses the null provider hands out instead of its networks' own, so
/// that what connects to its machines reaches servers on this host and never leaves it.
struct AddressPool: Sendable {
    let addresses: [String]

    init?(_ text: String) {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false).map { AddressPool.loopback(String($0)) }
        guard ends.count == 2, let first = ends[0], let last = ends[1], first <= last, last - first < 65536 else { return nil }
        addresses = (first...last).map { "127.\($0 >> 16 & 255).\($0 >> 8 & 255).\($0 & 255)" }
    }

    /// The low 24 bits of an address in 127.0.0.0/8.
    private static func loopback(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ $0.map { (0...255).contains($0) } ?? false }), parts[0] == 127 else { return nil }
        return parts[1]! << 16 | parts[2]! << 8 | parts[3]!
    }
}
