import Foundation
import Testing

/// One kind of cloud the provider contract (ProviderContract.swift) runs against. A new
/// provider gets every contract test by one entry in `CloudKind.all` and one conforming
/// `CloudUnderTest`: how to start it for a test, register a provider on it, inject what the
/// contract needs, and read what it holds and what it received. What a cloud cannot do it says
/// (a nil or false), and the contract asserts what it can.
protocol CloudUnderTest: AnyObject {
    /// The provider id the contract's commands use.
    var provider: String { get }
    var harness: Harness { get }
    /// What `--public_network` names on this cloud.
    var publicNetwork: String { get }
    /// What no output, error, trace or command line may hold.
    var secrets: [String] { get }

    /// Registers the provider, its secret never in argv; `extra` are --extra settings.
    func register(extra: [String]) -> Harness.Result

    // MARK: what the contract injects (call before `register`: the null provider takes them as settings)

    /// Machines stay building (or snapshots saving) for a minute.
    func slowBuilds() throws
    func slowSnapshots() throws
    /// Lets at most `machines` exist at once and returns the words of the cloud's refusal, or
    /// nil when the cloud has no quota to set.
    func limitMachines(to machines: Int) throws -> String?
    /// Makes the cloud refuse, every time, to release the public address of `machine` (a record
    /// of `machine create`); false when it cannot.
    func refuseAddressRelease(of machine: [String: Any]) throws -> Bool
    func stopRefusing() throws

    // MARK: what the cloud holds and received

    /// Ids of the machines the cloud holds (not being deleted).
    func liveMachines() throws -> [String]
    /// Public addresses the cloud has allocated (nil: they are not things of their own here).
    func allocatedAddresses() throws -> Int?
    /// Snapshots (images made by fabric) the cloud holds.
    func snapshots() throws -> Int
    /// Every request received since the last `clearRequests`, as "METHOD path" or the action;
    /// nil when the cloud keeps no log.
    func requests() throws -> [String]?
    func clearRequests() throws
    /// Whether a request of `requests()` could have changed anything.
    func changes(_ request: String) -> Bool

    // MARK: spread (SpreadContract.swift)

    /// How many compute hosts a hard spread can use here; nil where the cloud shows its users
    /// no host (EC2).
    var hosts: Int? { get }
    /// Two availability zones a zone spread can use.
    var zones: [String] { get }
    /// The cloud's own groups that keep a spread (Nova server groups, EC2 placement groups), by
    /// name, with their members; nil where there are none (the null provider).
    func spreadGroups() throws -> [String: [String]]?
    /// Lets one spread group hold at most `members` and returns the words of fabric's refusal,
    /// or nil when the cloud has no such quota.
    func limitSpreadMembers(to members: Int) throws -> String?
    /// Makes the second member of a hard spread's create land on a host another member holds,
    /// ACTIVE there (`share`) or ERROR (Nova's late check); false when the cloud cannot.
    func raceSpread(share: Bool) throws -> Bool

    // MARK: the cloud's own assertions on the contract's steps

    /// After `machine create --number_machines N --public_network ...`.
    func checkCreated(_ records: [[String: Any]], count: Int, sourceLocation: SourceLocation) throws
    /// After `snapshot create` of `machine` made `snapshot` (its record).
    func checkSnapshot(_ snapshot: [String: Any], of machine: String, sourceLocation: SourceLocation) throws
    /// After every machine of the workflow is destroyed.
    func checkDestroyed(count: Int, sourceLocation: SourceLocation) throws
    /// After a destroy of `count` machines kept the one whose address the cloud would not release.
    func checkAddressKept(_ destroy: Harness.Result, count: Int, sourceLocation: SourceLocation) throws
}

extension CloudUnderTest {
    func register() -> Harness.Result { register(extra: []) }

    /// Nothing in the cloud and, unless `store` is false, nothing in the store.
    func expectNothingLeft(store: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let machines = try liveMachines(), addresses = try allocatedAddresses() ?? 0, snapshots = try snapshots()
        #expect(machines.isEmpty && addresses == 0 && snapshots == 0,
                "left: machines \(machines), addresses \(addresses), snapshots \(snapshots)", sourceLocation: sourceLocation)
        if store { harness.expectNothingListed("fabric-store list machines", sourceLocation: sourceLocation) }
    }
}

/// The clouds of the contract, by name: the test's argument, and how to start one.
struct CloudKind: Sendable, CustomTestStringConvertible {
    let name: String
    /// The store backends the contract runs on with this cloud: all for the null provider,
    /// which costs no cloud, SQLite for the others.
    let backends: [Backend]
    /// What the contract may inject here; the tests that need more skip this cloud.
    let can: Set<Capability>
    let start: @Sendable (Harness) throws -> any CloudUnderTest
    var testDescription: String { name }

    enum Capability: Sendable { case limitMachines, refuseAddressRelease }

    static let null = CloudKind(name: "null", backends: Backend.allCases, can: [.limitMachines]) { NullCloud($0) }
    static let openStack = CloudKind(name: "openstack", backends: [.sqlite], can: [.limitMachines, .refuseAddressRelease]) {
        try OpenStackCloud($0)
    }
    /// moto has no instance quota (nor has the proxy).
    static let amazon = CloudKind(name: "amazon", backends: [.sqlite], can: [.refuseAddressRelease]) { try AmazonCloud($0) }
    static let all = [null, openStack, amazon]
    /// Each cloud once, on SQLite: for what the store's backend does not change.
    static let onSQLite = all.map { Run(kind: $0, backend: .sqlite) }

    /// Each cloud on each of its backends.
    static let runs: [Run] = all.flatMap { kind in kind.backends.map { Run(kind: kind, backend: $0) } }

    struct Run: Sendable, CustomTestStringConvertible {
        let kind: CloudKind
        let backend: Backend
        var testDescription: String { backend == .sqlite ? kind.name : "\(kind.name) on \(backend.rawValue)" }
        func start() throws -> any CloudUnderTest { try kind.start(Harness(backend)) }
    }
}

// MARK: the null provider

/// The null provider: the cloud is its tables in the store; no request log, no addresses of
/// their own, no way to make a release fail. Knobs are --extra settings given at register.
final class NullCloud: CloudUnderTest {
    let harness: Harness
    let provider = "demo"
    let publicNetwork = "public"
    // Its own in each test run: a scan of every process's argv must not find another run's.
    static let password = "Pw-5ecret-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    var secrets: [String] { [Self.password] }
    private var settings: [String] = []

    init(_ harness: Harness) { self.harness = harness }

    func register(extra: [String]) -> Harness.Result {
        let file = harness.write("null-password", Self.password + "\n")
        let extras = (settings + extra).map { "--extra '\($0)'" }.joined(separator: " ")
        return harness.sh("fabric --json provider register demo admin null:// demo --provider_type null --password-file \(file) "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(extras)")
    }

    func slowBuilds() throws { settings.append("build_seconds=60") }
    func slowSnapshots() throws { settings.append("snapshot_seconds=60") }
    func limitMachines(to machines: Int) throws -> String? {
        settings.append("quota=\(machines)")
        return "quota"
    }
    func refuseAddressRelease(of machine: [String: Any]) throws -> Bool { false }
    func stopRefusing() throws {}

    let hosts: Int? = 3
    let zones = ["nova", "az2"]
    func spreadGroups() throws -> [String: [String]]? { nil }
    func limitSpreadMembers(to members: Int) throws -> String? {
        settings.append("server_group_members=\(members)")
        return "server_group_members"
    }
    func raceSpread(share: Bool) throws -> Bool {
        guard share else { return false }
        settings.append("spread_race=2")
        return true
    }

    func liveMachines() throws -> [String] {
        try harness.listedRecords("fabric-list-machines -p demo").compactMap { $0["uuid"] as? String }
    }
    func allocatedAddresses() throws -> Int? { nil }
    /// Counted in its table: a snapshot still saving is not among the images a search finds.
    func snapshots() throws -> Int {
        Int(harness.sh(harness.sqlCommand("SELECT count(*) FROM null_images")).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
    func requests() throws -> [String]? { nil }
    func clearRequests() throws {}
    func changes(_ request: String) -> Bool { true }

    func checkCreated(_ records: [[String: Any]], count: Int, sourceLocation: SourceLocation) throws {
        for record in records {
            #expect(record["av_zone"] as? String == "nova", sourceLocation: sourceLocation)
            #expect((record["addresses"] as? [String])?.first?.hasPrefix("198.51.100.") == true, sourceLocation: sourceLocation)
        }
        #expect(harness.count("machines") == count, sourceLocation: sourceLocation)
    }
    func checkSnapshot(_ snapshot: [String: Any], of machine: String, sourceLocation: SourceLocation) throws {
        #expect(harness.count("snapshots") == 1, sourceLocation: sourceLocation)
    }
    func checkDestroyed(count: Int, sourceLocation: SourceLocation) throws {}
    func checkAddressKept(_ destroy: Harness.Result, count: Int, sourceLocation: SourceLocation) throws {}
}

// MARK: the fake OpenStack cloud

/// The fake OpenStack cloud (FakeCloud.swift), one per test, with a password of its own.
final class OpenStackCloud: CloudUnderTest {
    let harness: Harness
    let cloud: FakeCloud
    let provider = "os"
    let publicNetwork = "public"
    static let password = "Os-5ecret-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    var secrets: [String] { [Self.password] + ((try? cloud.control("GET", "tokens") as? [String]) ?? []) }

    init(_ harness: Harness) throws {
        self.harness = harness
        cloud = try FakeCloud()
        try cloud.control("POST", "users", ["admin": ["id": "u-admin", "password": Self.password, "domain": "Default"]])
    }

    func register(extra: [String]) -> Harness.Result {
        let extras = (["network=private"] + extra).map { "--extra '\($0)'" }.joined(separator: " ")
        return harness.sh("fabric --json provider register os admin --password-stdin \(cloud.identityV3) demo "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(extras)", stdin: Self.password + "\n")
    }

    func slowBuilds() throws { try cloud.config(["build_seconds": 60]) }
    func slowSnapshots() throws { try cloud.config(["snapshot_seconds": 60]) }
    func limitMachines(to machines: Int) throws -> String? {
        try cloud.config(["quota_instances": machines])
        return "Quota exceeded for instances"
    }
    func refuseAddressRelease(of machine: [String: Any]) throws -> Bool {
        let state = try cloud.state()
        let port = try #require(state["ports"]?.first { $0["device_id"] as? String == machine["uuid"] as? String }?["id"] as? String)
        let floating = try #require(state["floatingips"]?.first { $0["port_id"] as? String == port }?["id"] as? String)
        try cloud.faults([["method": "DELETE", "path": "/floatingips/\(floating)$", "status": 500, "times": 100]])
        return true
    }
    func stopRefusing() throws { try cloud.control("DELETE", "faults") }

    let hosts: Int? = 3
    let zones = ["nova", "az2"]
    func spreadGroups() throws -> [String: [String]]? {
        var groups: [String: [String]] = [:]
        for group in try cloud.state()["server_groups", default: []] {
            groups[group["name"] as? String ?? "?"] = group["members"] as? [String] ?? []
        }
        return groups
    }
    func limitSpreadMembers(to members: Int) throws -> String? {
        try cloud.config(["quota_server_group_members": members])
        return "server_group_members"
    }
    func raceSpread(share: Bool) throws -> Bool {
        try cloud.config(["anti_affinity_race": 1, "anti_affinity_race_mode": share ? "share" : "error"])
        return true
    }

    func liveMachines() throws -> [String] {
        try cloud.state()["servers", default: []].filter { ($0["deleting"] as? Bool) != true }.compactMap { $0["id"] as? String }
    }
    func allocatedAddresses() throws -> Int? { try cloud.leftovers().floatingIPs }
    func snapshots() throws -> Int { try cloud.leftovers().snapshots }
    func requests() throws -> [String]? {
        try cloud.requests().map { "\($0["method"] as? String ?? "?") \($0["path"] as? String ?? "?")" }
    }
    func clearRequests() throws { try cloud.clearRequests() }
    /// Asking Keystone for a token is a POST that changes nothing.
    func changes(_ request: String) -> Bool { !request.hasPrefix("GET ") && !request.hasSuffix("/auth/tokens") }

    func checkCreated(_ records: [[String: Any]], count: Int, sourceLocation: SourceLocation) throws {
        for record in records {
            #expect((record["public_addresses"] as? [String])?.first?.hasPrefix("172.24.4.") == true, sourceLocation: sourceLocation)
        }
        let counts = try cloud.requestCounts()
        #expect(counts["POST /compute/v2.1/servers"] == 1, "one POST /servers boots every machine", sourceLocation: sourceLocation)
        #expect(counts["POST /network/v2.0/floatingips"] == count, sourceLocation: sourceLocation)
    }
    func checkSnapshot(_ snapshot: [String: Any], of machine: String, sourceLocation: SourceLocation) throws {
        let action = try cloud.requests().last {
            $0["method"] as? String == "POST" && ($0["path"] as? String)?.hasSuffix("/action") == true
        }
        let createImage = (action?["body"] as? [String: Any])?["createImage"] as? [String: Any]
        #expect((createImage?["metadata"] as? [String: String])?["fabric_machine_uuid"] == machine, sourceLocation: sourceLocation)
    }
    func checkDestroyed(count: Int, sourceLocation: SourceLocation) throws {
        #expect(try cloud.requestCounts()["DELETE /network/v2.0/floatingips/{id}"] == count, sourceLocation: sourceLocation)
    }
    func checkAddressKept(_ destroy: Harness.Result, count: Int, sourceLocation: SourceLocation) throws {
        #expect(destroy.stderr.contains("HTTP 500"), "\(destroy.stderr)", sourceLocation: sourceLocation)
        #expect(try cloud.requestCounts()["DELETE /compute/v2.1/servers/{id}"] == count - 1, "no DELETE for the kept server",
                sourceLocation: sourceLocation)
    }
}

// MARK: moto's EC2

/// A local EC2 (LocalEC2.swift) behind its strict proxy, with a session token, one per test.
final class AmazonCloud: CloudUnderTest {
    let harness: Harness
    let ec2: LocalEC2
    let provider = "aws"
    let publicNetwork = "amazon"
    var secrets: [String] { [ec2.secretKey] + (ec2.sessionToken.map { [$0] } ?? []) }

    init(_ harness: Harness) throws {
        self.harness = harness
        ec2 = try LocalEC2(sessionToken: true)
    }

    func register(extra: [String]) -> Harness.Result { ec2.register(harness, extra: ["max_attempts=3"] + extra) }

    func slowBuilds() throws { try ec2.config(["build_seconds": 60]) }
    func slowSnapshots() throws { try ec2.config(["snapshot_seconds": 60]) }
    /// moto has no instance quota, nor does the proxy.
    func limitMachines(to machines: Int) throws -> String? { nil }
    func refuseAddressRelease(of machine: [String: Any]) throws -> Bool {
        let allocation = try #require(try ec2.state()["addresses", default: []].first {
            $0["instance"] as? String == machine["uuid"] as? String
        }?["allocation"] as? String)
        try ec2.faults([["action": "ReleaseAddress", "params": ["AllocationId": allocation], "fault": "500", "times": 100]])
        return true
    }
    func stopRefusing() throws { try ec2.faults([]) }

    let hosts: Int? = nil
    let zones = ["us-east-1a", "us-east-1b"]
    func spreadGroups() throws -> [String: [String]]? {
        var groups: [String: [String]] = [:]
        // fabric's own: the account's others (the seed's spread-db) are not the contract's.
        for group in try ec2.state()["placement_groups", default: []] where (group["name"] as? String)?.hasPrefix("fabric-") == true {
            groups[group["name"] as? String ?? "?"] = group["instances"] as? [String] ?? []
        }
        return groups
    }
    /// EC2's limit (7 running instances per zone in a spread group) is not a quota to set.
    func limitSpreadMembers(to members: Int) throws -> String? { nil }
    func raceSpread(share: Bool) throws -> Bool { false }

    func liveMachines() throws -> [String] { try ec2.liveInstances().compactMap { $0["id"] as? String } }
    func allocatedAddresses() throws -> Int? { try ec2.leftovers().addresses }
    func snapshots() throws -> Int {
        let left = try ec2.leftovers()
        return left.images + left.snapshots
    }
    func requests() throws -> [String]? { try ec2.actions() }
    func clearRequests() throws { try ec2.clearRequests() }
    func changes(_ request: String) -> Bool { !request.hasPrefix("Describe") }

    func checkCreated(_ records: [[String: Any]], count: Int, sourceLocation: SourceLocation) throws {
        let runs = try ec2.requests("RunInstances")
        #expect(runs.count == 1, "one RunInstances boots every machine", sourceLocation: sourceLocation)
        let run = try #require(runs.first, sourceLocation: sourceLocation)
        #expect(run["MinCount"] == String(count) && run["MaxCount"] == String(count), sourceLocation: sourceLocation)
        #expect(run["ImageId"] == ec2.seed["golden_image"] as? String && run["InstanceType"] == "t3.micro", sourceLocation: sourceLocation)
        let group = try #require(records.first?["group"] as? String, sourceLocation: sourceLocation)
        #expect(run["ClientToken"]?.hasPrefix(group) == true, "the group is the idempotency key: \(run)", sourceLocation: sourceLocation)
        let held = try ec2.liveInstances()
        #expect(held.count == count, sourceLocation: sourceLocation)
        for instance in held {
            let tags = instance["tags"] as? [String: String] ?? [:]
            #expect(tags["fabric_group"] == group && tags["fabric_provider"] == "aws", sourceLocation: sourceLocation)
            #expect(instance["state"] as? String == "running", sourceLocation: sourceLocation)
        }
        let addresses = try ec2.state()["addresses", default: []]
        #expect(addresses.count == count, sourceLocation: sourceLocation)
        for record in records {
            let uuid = try #require(record["uuid"] as? String, sourceLocation: sourceLocation)
            #expect(uuid.hasPrefix("i-"), sourceLocation: sourceLocation)
            let address = try #require(addresses.first { $0["instance"] as? String == uuid }, sourceLocation: sourceLocation)
            // Only the Elastic IP is the machine's public address; none was given at launch.
            #expect(record["public_addresses"] as? [String] == [address["public_ip"] as? String ?? "?"], sourceLocation: sourceLocation)
            #expect((address["tags"] as? [String: String])?["fabric_machine_uuid"] == uuid, sourceLocation: sourceLocation)
        }
        // fabric-wait asks once per round for all machines, not once per machine.
        let describes = try ec2.requests("DescribeInstances")
        #expect(!describes.isEmpty && describes.allSatisfy {
            $0["Filter.1.Name"] == "instance-id" && $0["Filter.1.Value.\(count)"] != nil && $0["Filter.1.Value.\(count + 1)"] == nil
        }, "\(describes)", sourceLocation: sourceLocation)
    }
    func checkSnapshot(_ snapshot: [String: Any], of machine: String, sourceLocation: SourceLocation) throws {
        let image = try #require(snapshot["id"] as? String, sourceLocation: sourceLocation)
        let made = try #require(try ec2.state()["images", default: []].first { $0["id"] as? String == image }, sourceLocation: sourceLocation)
        #expect((made["tags"] as? [String: String])?["fabric_machine_uuid"] == machine, sourceLocation: sourceLocation)
        #expect(!(made["snapshots"] as? [String] ?? []).isEmpty, "the image is made of EBS snapshots: \(made)", sourceLocation: sourceLocation)
    }
    func checkDestroyed(count: Int, sourceLocation: SourceLocation) throws {
        #expect(try ec2.changingActions().filter { $0 == "ReleaseAddress" }.count == count, sourceLocation: sourceLocation)
        // Every request carried the session token, signed with the rest.
        let requests = try ec2.requests()
        #expect(!requests.isEmpty && requests.allSatisfy { $0["session_token"] as? Bool == true }, sourceLocation: sourceLocation)
        #expect(requests.allSatisfy { $0["signed_headers"] as? String == "content-type;host;x-amz-date;x-amz-security-token" },
                "libcurl signs the token with the rest: \(requests.first?["signed_headers"] ?? "?")", sourceLocation: sourceLocation)
    }
    func checkAddressKept(_ destroy: Harness.Result, count: Int, sourceLocation: SourceLocation) throws {
        let terminated = Set(try ec2.requests("TerminateInstances").flatMap { $0.filter { $0.key.hasPrefix("InstanceId.") }.values })
        #expect(terminated.count == count - 1, "no terminate for the kept machine: \(terminated)", sourceLocation: sourceLocation)
    }
}
