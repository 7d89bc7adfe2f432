import Glibc

/// OPENSTACK: Keystone, Nova, Glance and Neutron spoken directly over HTTP (libcurl, jansson).
/// The requests live with their service (Identity/, Compute/, Image/, Network/); this file
/// composes them into what the Provider protocol asks.
final class OpenStackProvider: Provider {
    let record: ProviderRecord
    private let session: OpenStackSession
    /// Network ids by name: a tool giving many machines a public address asks Neutron once.
    private var networkIDs: [String: JSON] = [:]

    init(record: ProviderRecord) throws(FabricError) {
        self.record = record
        session = try OpenStackSession(record: record, settings: try OpenStackSettings(extra: record.extra))
    }

    static func validate(extra: [(key: String, value: String)]) throws(FabricError) {
        _ = try OpenStackSettings(extra: extra)
    }

    private var compute: String { get throws(FabricError) { try session.endpoint("compute") } }
    private var image: String { get throws(FabricError) { try session.endpoint("image") } }
    private var network: String { get throws(FabricError) { try session.endpoint("network") } }

    // MARK: images and flavors

    func images() throws(FabricError) -> [JSON] {
        let root = try image
        return try session.collect(.provider, Images.list(root), key: "images", glanceRoot: root)
    }

    func flavors() throws(FabricError) -> [JSON] {
        try session.collect(.provider, Flavors.detail(try compute), key: "flavors", versioned: true).map(Flavors.searchable)
    }

    // MARK: boot

    /// The create call: its body and, when --files needs it, the older microversion to send it at.
    private func createCall(_ request: BootRequest) throws(FabricError) -> (body: JSON, microversion: Microversion.Version?) {
        if request.count > 1 && (request.privateNics + request.publicNics).contains(where: { $0.portID != nil }) {
            throw FabricError.usage("a port-id nic is one port for one machine: boot one machine per port (--number 1)")
        }
        if request.count > 1 && (request.privateNics + request.publicNics).contains(where: { $0.fixedIPv4 != nil }) {
            throw FabricError.usage("a v4-fixed-ip nic is one address for one machine: boot one machine per address (--number 1)")
        }
        var override: Microversion.Version?
        if !request.files.isEmpty {
            let current = try session.microversion()
            if Microversion.less(Microversion.lastWithPersonality, current) {
                guard try session.accepts(Microversion.lastWithPersonality) else {
                    throw FabricError.machine("this cloud no longer accepts --files (personality ended at compute 2.56)",
                                              hint: "pass the files in --userdata (cloud-init write_files) or on a config drive")
                }
                override = Microversion.lastWithPersonality
            }
        }
        let body = Servers.createBody(request, record: record, networks: try networks(for: request),
                                      withPersonality: !request.files.isEmpty)
        return (body, override)
    }

    /// Nova's `networks`: the private network by name (resolved in Neutron), or the nics as given;
    /// "auto" when nothing is asked, as Nova requires a choice from 2.37.
    private func networks(for request: BootRequest) throws(FabricError) -> JSON {
        var entries: [JSON] = []
        if let name = request.privateNetwork {
            entries.append(JSON(["uuid": JSON(try networkID(named: name, external: false))]))
        }
        for nic in request.privateNics + request.publicNics {
            if let port = nic.portID {
                entries.append(JSON(["port": JSON(port)]))
            } else if let id = nic.networkID {
                let entry = JSON(["uuid": JSON(id)])
                if let address = nic.fixedIPv4 { entry["fixed_ip"] = JSON(address) }
                entries.append(entry)
            }
        }
        return entries.isEmpty ? JSON("auto") : JSON.array(entries)
    }

    private func networkID(named name: String, external: Bool) throws(FabricError) -> String {
        if networkIDs[name] == nil {
            networkIDs[name] = try session.call(.machine, "GET", Networking.networks(try network, name: name))?["networks"]?.items.first
        }
        guard let match = networkIDs[name], let id = match["id"]?.string else {
            throw FabricError.machine("network \(quoted(name)) not found on provider \(quoted(record.id))")
        }
        if external && match["router:external"]?.bool != true {
            throw FabricError.machine("network \(quoted(name)) is not an external network; public addresses come from one")
        }
        return id
    }

    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON] {
        let (body, override) = try createCall(request)
        let version = if let override { override } else { try session.microversion() }
        return [JSON(["method": JSON("POST"), "url": JSON(Servers.collection(try compute)),
                      "microversion": JSON(Microversion.text(version)), "body": body])]
    }

    func boot(_ request: BootRequest) throws(FabricError) -> [Machine] {
        let (body, override) = try createCall(request)
        let root = try compute
        do throws(FabricError) {
            let reply = try session.call(.machine, "POST", Servers.collection(root), json: body, versioned: true,
                                         microversion: override)
            guard let reservation = reply?["reservation_id"]?.string else {
                throw FabricError.machine("the create reply names no reservation id")
            }
            try Interruption.check()
            let servers = try session.collect(.machine, Servers.detail(root, query: "?reservation_id=" + queryValue(reservation)),
                                              key: "servers", versioned: true)
            let machines = servers.compactMap { Servers.machine($0, providerID: record.id) }
            guard machines.count == request.count else {
                throw FabricError.machine("asked for \(request.count) machines, the cloud made \(machines.count)")
            }
            return machines.sorted { $0.name < $1.name }
        } catch {
            // Whatever the failure (even one whose outcome is unknown, like a timeout), nothing it made is left.
            Interruption.cleaningUp { removeGroup(request.group) }
            throw error
        }
    }

    /// Deletes every server tagged with the group: the rollback of a failed boot.
    private func removeGroup(_ group: String) {
        guard let servers = try? session.collect(.machine, Servers.detail(try compute), key: "servers", versioned: true) else {
            warn("could not list servers to remove group \(group); check with fabric-list-machines -p \(record.id)")
            return
        }
        for server in servers where server["metadata"]?[FabricMetadata.group]?.string == group {
            if let id = server["id"]?.string, let failure = attempt({ () throws(FabricError) in try destroy(id) }) {
                warn("could not remove machine \(id) of the failed boot: \(failure.message)")
            }
        }
    }

    // MARK: machines

    /// One request per call, whatever the number of machines: a single machine by id, several
    /// from the project's server list.
    func machines(_ uuids: [String]) throws(FabricError) -> [Machine] {
        let root = try compute
        if uuids.count == 1 {
            let server = try session.call(.machine, "GET", Servers.one(root, uuids[0]), versioned: true, missingIsNil: true)
            return server?["server"].flatMap { Servers.machine($0, providerID: record.id) }.map { [$0] } ?? []
        }
        let wanted = Set(uuids)
        return try session.collect(.machine, Servers.detail(root), key: "servers", versioned: true)
            .compactMap { Servers.machine($0, providerID: record.id) }.filter { wanted.contains($0.uuid) }
    }

    func listMachines() throws(FabricError) -> [Machine] {
        try session.collect(.machine, Servers.detail(try compute), key: "servers", versioned: true).filter { server in
            guard let tags = server["metadata"], tags[FabricMetadata.group] != nil else { return false }
            return tags[FabricMetadata.provider]?.string.map { $0 == record.id } ?? true
        }.compactMap { Servers.machine($0, providerID: record.id) }
    }

    /// Floating IPs first (Nova would leave them allocated), then the server, then wait until gone.
    func destroy(_ uuid: String) throws(FabricError) {
        let root = try compute
        try releasePublicAddresses(of: uuid)
        try session.call(.machine, "DELETE", Servers.one(root, uuid), versioned: true, missingIsNil: true)
        let deadline = monotonicNow() + session.settings.deleteTimeout
        var delay = 0.1
        while try session.call(.machine, "GET", Servers.one(root, uuid), versioned: true, missingIsNil: true) != nil {
            guard monotonicNow() < deadline else {
                throw FabricError(.timeout, "machine \(uuid) still exists \(Int(session.settings.deleteTimeout)) s after its delete")
            }
            sleep(seconds: delay)
            delay = min(delay * 1.5, 2)
        }
    }

    private func releasePublicAddresses(of uuid: String) throws(FabricError) {
        let root = try network
        let ports = try session.call(.machine, "GET", Networking.ports(root, device: uuid))?["ports"]?.items ?? []
        if ports.isEmpty, try session.call(.machine, "GET", Servers.one(try compute, uuid), versioned: true, missingIsNil: true) == nil {
            throw FabricError.machine("machine \(uuid) not found on provider \(quoted(record.id))", hint: "use --force to forget it anyway")
        }
        for port in ports {
            guard let portID = port["id"]?.string else { continue }
            for address in try session.call(.machine, "GET", Networking.floatingIPs(root, port: portID))?["floatingips"]?.items ?? [] {
                if let id = address["id"]?.string {
                    try session.call(.machine, "DELETE", Networking.floatingIP(root, id), missingIsNil: true)
                }
            }
        }
    }

    func attachPublicAddress(_ uuid: String, network name: String) throws(FabricError) -> String {
        let root = try network
        let external = try networkID(named: name, external: true)
        guard let port = try session.call(.machine, "GET", Networking.ports(root, device: uuid))?["ports"]?.items.first,
              let portID = port["id"]?.string else {
            throw FabricError.machine("machine \(uuid) has no port to give a public address to")
        }
        let existing = try session.call(.machine, "GET", Networking.floatingIPs(root, port: portID))?["floatingips"]?.items ?? []
        if let address = existing.first(where: { $0["floating_network_id"]?.string == external })?["floating_ip_address"]?.string {
            return address
        }
        let created = try session.call(.machine, "POST", Networking.floatingIPs(root),
                                       json: Networking.createFloatingIP(network: external, port: portID))
        guard let address = created?["floatingip"]?["floating_ip_address"]?.string else {
            throw FabricError.machine("the floating IP reply for machine \(uuid) names no address")
        }
        return address
    }

    // MARK: snapshots

    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot {
        let body = JSON(["createImage": JSON(["name": JSON(name), "metadata": JSON([
            FabricMetadata.snapshotOf: JSON(uuid), FabricMetadata.provider: JSON(record.id)])])])
        var location: String?
        let reply = try session.call(.snapshot, "POST", Servers.action(try compute, uuid), json: body, versioned: true,
                                     response: { location = $0.header("Location") })
        guard let id = Images.createdID(body: reply, location: location) else {
            throw FabricError.snapshot("the createImage reply for machine \(uuid) names no image")
        }
        return Snapshot(id: id, name: name, machineUUID: uuid, providerID: record.id, status: "queued", created: timestamp())
    }

    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot] {
        let root = try image
        return try session.collect(.snapshot, Images.list(root, query: "&\(FabricMetadata.snapshotOf)=" + queryValue(uuid)),
                                   key: "images", glanceRoot: root)
            .compactMap { Images.snapshot($0, providerID: record.id) }.filter { $0.machineUUID == uuid }
    }

    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot] {
        let root = try image
        var found: [Snapshot] = []
        for id in ids {
            if let image = try session.call(.snapshot, "GET", Images.one(root, id), missingIsNil: true),
               let snapshot = Images.snapshot(image, providerID: record.id) {
                found.append(snapshot)
            }
        }
        return found
    }

    func destroySnapshot(_ id: String) throws(FabricError) {
        let root = try image
        var existed = false
        try session.call(.snapshot, "DELETE", Images.one(root, id), missingIsNil: true, response: { _ in existed = true })
        guard existed else { throw FabricError.snapshot("snapshot \(id) not found on provider \(quoted(record.id))") }
    }
}
