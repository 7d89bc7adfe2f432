import FabricRecords

/// What a kind of cloud must do for fabric. Adding a new kind of provider (the spec's "adding
/// support to new providers") is one folder under Providers/ that implements this protocol and
/// declares its settings, one case in `ProviderType` (FabricRecords/Records/ProviderType.swift:
/// how records and the store name it) and its entry in `ProviderType.kind`
/// (Providers/ProviderTypes.swift), which the compiler asks for; what every provider shares is
/// in Providers/Common/.
///
/// Every method is synchronous and throws FabricError with the cloud's own message.
public protocol Provider: AnyObject {
    var record: ProviderRecord { get }

    /// Images (golden images and snapshots) as objects with at least id, name, min_disk,
    /// min_ram and status; every top-level property can be searched with `--image key=value`.
    /// The cloud is asked for those matching `query` as far as its API can filter; any others
    /// returned are left out by the search (CatalogQuery).
    func images(matching query: CatalogQuery) throws(FabricError) -> [JSON]
    /// Flavors with at least id, name, vcpus, ram, disk and swap, asked for as images are.
    func flavors(matching query: CatalogQuery) throws(FabricError) -> [JSON]

    /// Boots `request.count` machines, all or nothing: when it throws, nothing it made is left.
    func boot(_ request: BootRequest) throws(FabricError) -> [Machine]
    /// What `boot` would send, for --dry-run; changes nothing.
    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON]
    /// The machines among `uuids` that still exist, in one round trip where the cloud allows.
    func machines(_ uuids: [String]) throws(FabricError) -> [Machine]
    /// Every machine fabric made on this provider (those carrying its group tag).
    func listMachines() throws(FabricError) -> [Machine]
    /// Destroys machines all at once: releases their public addresses (those the cloud reports
    /// and those their records name, which outlive a server deleted behind fabric's back),
    /// deletes every machine, then waits until all are gone. Returns why each machine that was
    /// not destroyed was not; one the cloud no longer has is a MachineError "not found" (the
    /// caller decides whether --force tolerates that). A machine whose address the cloud fails
    /// to release is not deleted, so no address is left that no record names, and the others
    /// go on; with `force` it is deleted anyway and the address named in a warning. Throws when
    /// the provider itself fails.
    func destroy(_ machines: [MachineRef], force: Bool) throws(FabricError) -> [String: FabricError]
    /// Gives machines addresses on the public network, each as soon as it can have one (on
    /// OpenStack once its port exists, while it still builds), in one round for all of them.
    /// Returns the address of each machine that has one now; those not ready yet are left out,
    /// to be asked again. A machine that failed or is gone is an error.
    func attachPublicAddresses(_ uuids: [String], network: String) throws(FabricError) -> [String: String]

    /// The machines' boot logs (their serial consoles) as the cloud keeps them: at most the
    /// last `lines` lines of each, raw bytes, untrusted. A machine the cloud has no log for yet
    /// (not yet on a host) is left out. The `cloud-init` stage of a wait reads them.
    func bootLogs(_ uuids: [String], lines: Int) throws(FabricError) -> [String: [UInt8]]
    /// How the `port` and `mysql` stages reach this machine from the host fabric runs on: its
    /// address, or, on an emulated cloud, the cloud's own answer (nothing is connected to).
    func reach(_ machine: Machine, port: Int, address: AddressChoice) -> Reach

    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot
    /// The snapshots made of this machine, found by the image property that names it.
    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot]
    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot]
    func destroySnapshot(_ id: String) throws(FabricError)

    /// Removes what the cloud keeps to spread these groups (a Nova server group, an EC2
    /// placement group) when no machine of the group is left; nothing for a group that still
    /// has members or that keeps nothing.
    func releasePlacement(groups: [String]) throws(FabricError)
}

/// The last `count` lines of a log (all of them when it has fewer).
public func lastLines(_ bytes: [UInt8], _ count: Int) -> [UInt8] {
    var newlines = 0
    for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "\n") && index != bytes.count - 1 {
        newlines += 1
        if newlines == count { return Array(bytes[(index + 1)...]) }
    }
    return bytes
}

/// Which of a machine's addresses the stages that connect to it use.
public enum AddressChoice: String, CaseIterable, Sendable {
    /// The public address when it has one, else its first private one.
    case automatic = "auto"
    case `public`
    case `private`
}

/// Where a stage that connects finds a machine.
public enum Reach: Equatable, Sendable {
    case address(String)
    /// An emulated cloud's machine: whether its port answers now.
    case emulated(open: Bool)
    /// No address of the kind asked for.
    case unreachable(String)
}

extension Provider {
    public func releasePlacement(groups: [String]) throws(FabricError) {}

    public func reach(_ machine: Machine, port: Int, address: AddressChoice) -> Reach {
        defaultReach(machine, address: address)
    }

    /// The machine's address of the kind asked for.
    func defaultReach(_ machine: Machine, address: AddressChoice) -> Reach {
        let privateAddresses = machine.addresses.filter { !machine.publicAddresses.contains($0) }
        let chosen: String? = switch address {
        case .automatic: machine.publicAddresses.first ?? privateAddresses.first
        case .public: machine.publicAddresses.first
        case .private: privateAddresses.first
        }
        if let chosen { return .address(chosen) }
        return .unreachable("machine \(machine.uuid) has no \(address == .automatic ? "" : address.rawValue + " ")address")
    }
}

/// A machine to destroy: its id and the public addresses its record names.
public struct MachineRef {
    public var uuid: String
    public var publicAddresses: [String]

    public init(uuid: String, publicAddresses: [String] = []) {
        self.uuid = uuid
        self.publicAddresses = publicAddresses
    }
}

/// Everything `machine create` can ask of a cloud, already validated.
public struct BootRequest {
    public var imageID: String
    public var flavorID: String
    public var count: Int = 1
    /// Machines are named "<namePrefix>-<n>"; the prefix carries the group so a cloud that
    /// cannot filter by metadata can still find a group by name.
    public var namePrefix: String
    public var group: String
    /// This create call's own id (FabricMetadata.batch), when the group may hold other machines.
    public var batch: String?
    public var availabilityZone: String?
    public var keyName: String?
    public var securityGroups: [String] = []
    public var privateNetwork: String?
    public var publicNetwork: String?
    public var userdata: [UInt8]?
    public var swapMB: Int?
    public var blockDevices: [BlockDevice] = []
    public var schedulerHints: [(key: String, value: String)] = []
    public var privateNics: [Nic] = []
    public var publicNics: [Nic] = []
    public var meta: [(key: String, value: String)] = []
    public var files: [(path: String, contents: [UInt8])] = []
    public var configDrive = false
    /// How the machines spread across the cloud's failure domains (fabric-boot --spread).
    public var spread = Spread.none
    /// With `.host`: how many members of the group one host may hold (Nova's
    /// max_server_per_host rule); nil: one.
    public var maxPerHost: Int?
    /// With `.zone`: the zones to place members in, round-robin.
    public var availabilityZones: [String] = []

    public init(imageID: String, flavorID: String, namePrefix: String, group: String) {
        self.imageID = imageID
        self.flavorID = flavorID
        self.namePrefix = namePrefix
        self.group = group
    }
}

/// A machine whose public address stays allocated is kept, so no address is left that no
/// record names; --force deletes it anyway.
enum AddressRelease {
    /// Why the machine is kept.
    static func failure(_ address: String, of machine: String, _ failure: FabricError) -> FabricError {
        FabricError(.machine, "the public address \(address) of machine \(machine) was not released: \(failure.message)",
                    hint: "the machine is kept; retry, or --force deletes it anyway", httpStatus: failure.httpStatus)
    }

    /// The machines to keep: those whose addresses stay, or none with `force`, each then named
    /// in a warning.
    static func kept(_ failures: [String: FabricError], force: Bool) -> [String: FabricError] {
        guard force else { return failures }
        for (uuid, failure) in failures.sorted(by: { $0.key < $1.key }) {
            warn("--force: \(failure.message); machine \(uuid) is deleted anyway, the address stays allocated")
        }
        return [:]
    }
}

extension Provider {
    /// Refuses a request this provider's cloud would refuse for its size (its kind's
    /// `bootLimits`); callers check before `boot` or `describeBoot`, so nothing is sent.
    public func checkLimits(_ request: BootRequest) throws(FabricError) {
        try record.type.kind.bootLimits.check(request)
    }
}

extension ProviderRecord {
    /// Every check of a provider record: the fields any provider has, that they fit the store,
    /// then what its type asks (its own checks and its --extra settings).
    public func validate() throws(FabricError) {
        try checkFields()
        try checkWidths()
        try type.kind.checkRecord(self)
        try validateExtra(type: type, extra)
    }
}
