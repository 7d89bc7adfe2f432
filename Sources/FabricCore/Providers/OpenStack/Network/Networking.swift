/// Neutron: networks by name, a server's ports, floating IPs.
enum Networking {
    static func networks(_ network: String, name: String) -> String { network + "/v2.0/networks?name=" + queryValue(name) }
    static func ports(_ network: String, device: String) -> String { network + "/v2.0/ports?device_id=" + queryValue(device) }
    static func floatingIPs(_ network: String) -> String { network + "/v2.0/floatingips" }
    static func floatingIPs(_ network: String, port: String) -> String { network + "/v2.0/floatingips?port_id=" + queryValue(port) }
    static func floatingIP(_ network: String, _ id: String) -> String { network + "/v2.0/floatingips/" + id }

    static func createFloatingIP(network: String, port: String) -> JSON {
        JSON(["floatingip": JSON(["floating_network_id": JSON(network), "port_id": JSON(port)])])
    }
}
