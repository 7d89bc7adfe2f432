import FabricRecords

/// The tags (metadata, EC2 tags) fabric writes on what it makes, and the names it gives, for
/// every provider: users may not set these keys with --meta.
public enum FabricMetadata {
    public static let group = "fabric_group"
    /// One create call's machines, within a group that several creates (a named group) share:
    /// a failed create removes what carries its batch, never the group's other machines.
    public static let batch = "fabric_batch"
    public static let provider = "fabric_provider"
    public static let snapshotOf = "fabric_machine_uuid"
    /// The networks of --public-nics (a JSON array of names), whose addresses are public ones.
    public static let publicNetworks = "fabric_public_networks"
    /// How the machine's group spreads (Spread.tag): host, host:N, soft or zone.
    public static let spread = "fabric_spread"
    public static let reserved: Set<String> = [group, batch, provider, snapshotOf, publicNetworks, spread]

    /// What every machine of a boot carries: the user's --meta, then fabric's own tags, which
    /// win over any of the same name.
    static func machineTags(_ request: BootRequest, providerID: String, publicNetworks: [String] = []) -> [(key: String, value: String)] {
        request.meta + fabricTags(request, providerID: providerID)
            + (publicNetworks.isEmpty ? [] : [(key: Self.publicNetworks, value: JSON(publicNetworks).encoded())])
    }

    /// fabric's own tags of a boot alone, for what the machines bring along (EC2's volumes).
    static func fabricTags(_ request: BootRequest, providerID: String) -> [(key: String, value: String)] {
        [(key: group, value: request.group)] + (request.batch.map { [(key: batch, value: $0)] } ?? [])
            + [(key: provider, value: providerID)] + (request.spreadTag.map { [(key: spread, value: $0)] } ?? [])
    }

    /// What a snapshot, or an address made for a machine, carries: the machine it belongs to.
    static func belongingTags(machine: String, providerID: String) -> [(key: String, value: String)] {
        [(key: snapshotOf, value: machine), (key: provider, value: providerID)]
    }

    /// The name of the `index`th (1-based) machine of a boot.
    static func machineName(prefix: String, index: Int) -> String { "\(prefix)-\(index)" }

    /// The machine's place in its create call (1-based), from its name.
    static func machineIndex(name: String) -> Int? {
        name.split(separator: "-").last.flatMap { Int($0) }
    }

    /// The value of a fabric tag among a machine's metadata.
    static func value(_ key: String, in tags: [(key: String, value: String)]) -> String? {
        tags.last { $0.key == key }?.value
    }

    /// Tags as a JSON object (OpenStack metadata), later ones winning.
    static func object(_ tags: [(key: String, value: String)]) -> JSON {
        let object = JSON.object()
        for (key, value) in tags { object[key] = JSON(value) }
        return object
    }
}
