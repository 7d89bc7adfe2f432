import FabricHTTP
import FabricRecords

/// Neutron: networks, ports and floating IPs. Lists take repeated filters (`device_id=a&device_id=b`),
/// which Neutron ORs, so one request covers every machine of a call.
enum Networking {
    static func networks(_ network: String) -> String { network + "/v2.0/networks" }
    static func ports<S: Sequence<String>>(_ network: String, devices: S) -> String {
        repeated("device_id", devices).appended(to: network + "/v2.0/ports")
    }
    static func floatingIPs(_ network: String) -> String { network + "/v2.0/floatingips" }
    static func floatingIPs<S: Sequence<String>>(_ network: String, ports: S) -> String {
        repeated("port_id", ports).appended(to: network + "/v2.0/floatingips")
    }
    static func floatingIPs<S: Sequence<String>>(_ network: String, addresses: S) -> String {
        repeated("floating_ip_address", addresses).appended(to: network + "/v2.0/floatingips")
    }
    static func floatingIP(_ network: String, _ id: String) throws(FabricError) -> String {
        network + "/v2.0/floatingips/" + (try pathSegment(id))
    }

    static func createFloatingIP(network: String, port: String) -> JSON {
        JSON(["floatingip": JSON(["floating_network_id": JSON(network), "port_id": JSON(port)])])
    }

    /// How many values go in one filtered list: 50 UUIDs keep a URL near 3 KB, well under the
    /// 8 KB request line that Neutron's and Nova's WSGI servers take.
    static let filterBatch = 50

    private static func repeated<S: Sequence<String>>(_ key: String, _ values: S) -> QueryString {
        var query = QueryString()
        query.add(key, each: values)
        return query
    }
}

/// The networks a project sees, listed once per process and looked up by name or id.
struct NetworkCatalog {
    struct Network {
        let id: String
        let name: String
        let external: Bool
    }

    let networks: [Network]

    init(_ reply: JSON?) {
        networks = (reply?["networks"]?.items ?? []).compactMap { item in
            guard let id = item["id"]?.string else { return nil }
            return Network(id: id, name: item["name"]?.string ?? "", external: item["router:external"]?.bool == true)
        }
    }

    /// The network with this id, or else the one network with this name; a name that two
    /// networks share is refused rather than guessed.
    func find(_ nameOrID: String, provider: String) throws(FabricError) -> Network? {
        if let byID = networks.first(where: { $0.id == nameOrID }) { return byID }
        let named = networks.filter { $0.name == nameOrID }
        if named.count > 1 {
            throw FabricError.usage("\(named.count) networks are named \(quoted(nameOrID)) on provider \(quoted(provider))",
                                    hint: "give its id: " + named.map(\.id).joined(separator: ", "))
        }
        return named.first
    }

    var names: String {
        networks.map { $0.name + ($0.external ? " (external)" : "") }.joined(separator: ", ")
    }
}
