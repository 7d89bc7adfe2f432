import FabricRecords
import FabricStore
import Glibc

/// OPENSTACK: Keystone, Nova, Glance and Neutron spoken directly over HTTP (libcurl, jansson).
/// The requests live with their service (Identity/, Compute/, Image/, Network/); this file
/// composes them into what the Provider protocol asks.
final class OpenStackProvider: Provider {
    let record: ProviderRecord
    private let session: OpenStackSession
    /// The project's networks: a tool giving many machines a public address asks Neutron once.
    private var cachedNetworks: NetworkCatalog?

    init(record: ProviderRecord, store: Store?) throws(FabricError) {
        self.record = record
        session = try OpenStackSession(record: record, settings: try OpenStackSettings(extra: record.extra), store: store)
    }

    private var compute: String { get throws(FabricError) { try session.endpoint("compute") } }
    private var image: String { get throws(FabricError) { try session.endpoint("image") } }
    private var network: String { get throws(FabricError) { try session.endpoint("network") } }

    // MARK: images and flavors

    /// An id is one GET of that image (404: none); anything else a listing filtered by Glance.
    func images(matching query: CatalogQuery) throws(FabricError) -> [JSON] {
        let root = try image
        if let id = query.value("id") {
            guard Images.isImageID(id) else { return [] }
            return try session.call(.provider, "GET", try Images.one(root, id), missingIsNil: true).map { [$0] } ?? []
        }
        return try session.collect(.provider, Images.list(root, filters: Images.filters(query)), key: "images", glanceRoot: root)
    }

    /// An id is one GET of that flavor (404: none); anything else a listing Nova narrows by size.
    func flavors(matching query: CatalogQuery) throws(FabricError) -> [JSON] {
        let compute = try compute
        if let id = query.value("id") {
            guard let url = try? Flavors.one(compute, id) else { return [] }
            return try session.call(.provider, "GET", url, versioned: true, missingIsNil: true)?["flavor"].map { [Flavors.searchable($0)] } ?? []
        }
        return try session.collect(.provider, Flavors.detail(compute, query), key: "flavors", versioned: true).map(Flavors.searchable)
    }

    // MARK: boot

    /// The create call: its body and, when --files needs it, the older microversion to send it
    /// at. Everything the cloud could refuse is checked here, before anything is created: every
    /// network named (and that the public one is external), the microversion for --files.
    private func createCall(_ request: BootRequest) throws(FabricError) -> (body: JSON, microversion: Microversion.Version?) {
        if let name = request.publicNetwork { _ = try network(name, external: true, what: "--public-network") }
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
        let (networks, publicNetworks) = try networks(for: request)
        let body = Servers.createBody(request, record: record, networks: networks, publicNetworks: publicNetworks,
                                      configDrive: request.configDrive || session.settings.configDrive,
                                      withPersonality: !request.files.isEmpty)
        return (body, override)
    }

    /// Nova's `networks` and the names of the public nics' networks. The private network is the
    /// one named, else the provider's `network` setting, else the project's only private network;
    /// "auto" when the project has none, as Nova requires a choice from 2.37.
    private func networks(for request: BootRequest) throws(FabricError) -> (JSON, publicNetworks: [String]) {
        var entries: [JSON] = []
        var publicNetworks: [String] = []
        let nics = request.privateNics.map { ($0, false) } + request.publicNics.map { ($0, true) }
        let fallback = request.privateNetwork == nil && nics.isEmpty ? try defaultNetwork() : nil
        if let name = request.privateNetwork ?? fallback {
            entries.append(JSON(["uuid": JSON(try network(name, external: nil, what: "--private-network").id)]))
        }
        for (nic, isPublic) in nics {
            if let port = nic.portID {
                entries.append(JSON(["port": JSON(port)]))
            } else if let nameOrID = nic.networkID {
                let found = try network(nameOrID, external: nil, what: isPublic ? "--public-nics net-id" : "--private-nics net-id")
                let entry = JSON(["uuid": JSON(found.id)])
                if let address = nic.fixedIPv4 { entry["fixed_ip"] = JSON(address) }
                entries.append(entry)
                if isPublic { publicNetworks.append(found.name) }
            }
        }
        return (entries.isEmpty ? JSON("auto") : JSON.array(entries), publicNetworks)
    }

    /// The network to use when machine create names none. With two or more private networks Nova
    /// would refuse after the POST ("Multiple possible networks found"); fabric refuses before.
    private func defaultNetwork() throws(FabricError) -> String? {
        if let configured = session.settings.network { return configured }
        let candidates = try networkCatalog().networks.filter { !$0.external }
        guard candidates.count <= 1 else {
            throw FabricError.usage("provider \(quoted(record.id)) has \(candidates.count) private networks ("
                                    + candidates.map(\.name).joined(separator: ", ") + "); choose one with --private_network",
                                    hint: "or give the provider a default: --extra network=NAME")
        }
        return candidates.first?.id
    }

    /// Every network the project sees, listed once per process.
    private func networkCatalog() throws(FabricError) -> NetworkCatalog {
        if let cachedNetworks { return cachedNetworks }
        let catalog = NetworkCatalog(try session.call(.machine, "GET", Networking.networks(try network)))
        cachedNetworks = catalog
        return catalog
    }

    /// A network by name or id; `external` true or false requires that kind.
    private func network(_ nameOrID: String, external: Bool?, what: String) throws(FabricError) -> NetworkCatalog.Network {
        let catalog = try networkCatalog()
        guard let found = try catalog.find(nameOrID, provider: record.id) else {
            throw FabricError.usage("\(what) \(quoted(nameOrID)): no such network on provider \(quoted(record.id))",
                                    hint: "networks: " + catalog.names)
        }
        if external == true && !found.external {
            throw FabricError.usage("\(what) \(quoted(nameOrID)) is not an external network; public addresses come from one",
                                    hint: "networks: " + catalog.names)
        }
        return found
    }

    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON] {
        let parts: [BootRequest]
        if request.spread == .zone {
            try checkZones(request.availabilityZones)
            parts = try zoneParts(request)
        } else {
            parts = [request]
        }
        var calls: [JSON] = []
        for part in parts {
            let plan = part.spread.placesByHost ? try serverGroupPlan(part) : nil
            let (body, override) = try createCall(part)
            let version = if let override { override } else { try session.microversion() }
            if let plan {
                if plan.existing == nil {
                    calls.append(JSON(["method": JSON("POST"), "url": JSON(ServerGroups.collection(try compute)),
                                       "microversion": JSON(Microversion.text(try session.microversion())),
                                       "body": try ServerGroups.createBody(name: plan.name, request: part, version: try session.microversion())]))
                }
                Self.hint(body, serverGroup: plan.existing?.id ?? "<the server group made above>")
            }
            calls.append(JSON(["method": JSON("POST"), "url": JSON(Servers.collection(try compute)),
                               "microversion": JSON(Microversion.text(version)), "body": body]))
        }
        return calls
    }

    func boot(_ request: BootRequest) throws(FabricError) -> [Machine] {
        guard request.spread == .zone else { return try bootInOneCall(request) }
        try checkZones(request.availabilityZones)
        return try bootAcrossZones(request) { part throws(FabricError) in try self.bootInOneCall(part) }
    }

    private func bootInOneCall(_ request: BootRequest) throws(FabricError) -> [Machine] {
        let plan = request.spread.placesByHost ? try serverGroupPlan(request) : nil
        let (body, override) = try createCall(request)
        let root = try compute
        var reservation: String?
        var madeGroup: String?
        do throws(FabricError) {
            if let plan {
                if let existing = plan.existing {
                    Self.hint(body, serverGroup: existing.id)
                } else {
                    let made = try makeServerGroup(plan.name, request: request)
                    madeGroup = made
                    Self.hint(body, serverGroup: made)
                }
            }
            // Not abandoned on a signal (it cannot be repeated): the reply names what was made.
            let reply = try session.call(.machine, "POST", Servers.collection(root), json: body, versioned: true,
                                         microversion: override)
            reservation = reply?["reservation_id"]?.string
            guard let reservation else { throw FabricError.machine("the create reply names no reservation id") }
            try Interruption.check()
            let machines = try servers(reservation: reservation)
            guard machines.count == request.count else {
                throw FabricError.machine("asked for \(request.count) machines, the cloud made \(machines.count)")
            }
            return machines.sorted { $0.name < $1.name }
        } catch {
            Interruption.cleaningUp {
                removeCreated(request, reservation: reservation,
                              refused: reservation == nil && (error.httpStatus.map { (400..<500).contains($0) } ?? false))
                if madeGroup != nil {
                    do throws(FabricError) { try releasePlacement(groups: [request.group]) } catch {
                        warn("could not remove the server group \(plan!.name) of the failed boot: \(error.message)")
                    }
                }
            }
            throw error
        }
    }

    // MARK: spread

    /// The server group a host or soft spread boots into: the group's own, found by its name,
    /// or nil when it is to be made; the quotas and what the cloud's API can express checked
    /// before anything is made. One list and one limits request, together.
    private func serverGroupPlan(_ request: BootRequest) throws(FabricError) -> (existing: ServerGroups.Group?, name: String) {
        let root = try compute
        let name = ServerGroups.name(provider: record.id, group: request.group, tag: request.spreadTag!)
        _ = try ServerGroups.createBody(name: name, request: request, version: try session.microversion())
        let replies = try session.callAll(.machine, [.init("GET", ServerGroups.list(root)), .init("GET", ServerGroups.limits(root))],
                                          versioned: true)
        let existing = try replies[0].get()?.json?["server_groups"]?.items.compactMap(ServerGroups.Group.init).first { $0.name == name }
        try ServerGroups.Quota(try replies[1].get()?.json).check(group: request.group, existing: existing, asked: request.count)
        return (existing, name)
    }

    private func makeServerGroup(_ name: String, request: BootRequest) throws(FabricError) -> String {
        let body = try ServerGroups.createBody(name: name, request: request, version: try session.microversion())
        guard let id = try session.call(.machine, "POST", ServerGroups.collection(try compute), json: body, versioned: true)?["server_group"]?["id"]?.string else {
            throw FabricError.machine("the server group create reply names no id")
        }
        return id
    }

    /// Boots into the server group: Nova's scheduler hint `group`.
    private static func hint(_ body: JSON, serverGroup id: String) {
        let hints = body["os:scheduler_hints"] ?? JSON.object()
        hints["group"] = JSON(id)
        body["os:scheduler_hints"] = hints
    }

    /// A zone spread's zones exist (one request), before the first zone's machines are made.
    private func checkZones(_ zones: [String]) throws(FabricError) {
        let info = try session.call(.machine, "GET", ServerGroups.availabilityZones(try compute), versioned: true)
        let known = info?["availabilityZoneInfo"]?.items.compactMap { $0["zoneName"]?.string } ?? []
        for zone in zones where !known.contains(zone) {
            throw FabricError.usage("availability zone \(quoted(zone)) does not exist on provider \(quoted(record.id)) (zones: \(known.joined(separator: ", ")))")
        }
    }

    /// Deletes the fabric server groups of these groups once no machine of theirs is left. A
    /// server being finished on its host still counts as a member for Nova a few seconds after
    /// its delete; the servers' own listing says whether any is left.
    func releasePlacement(groups: [String]) throws(FabricError) {
        let root = try compute
        let live = Set(try listMachines().filter { !$0.isGone }.compactMap(\.group))
        let prefixes = groups.filter { !live.contains($0) }.map { ServerGroups.namePrefix(provider: record.id, group: $0) }
        guard !prefixes.isEmpty else { return }
        let empty = (try session.call(.machine, "GET", ServerGroups.list(root), versioned: true)?["server_groups"]?.items ?? [])
            .compactMap(ServerGroups.Group.init).filter { group in prefixes.contains { group.name.hasPrefix($0) } }
        var deletes: [OpenStackSession.Request] = []
        for group in empty { deletes.append(.init("DELETE", try ServerGroups.one(root, group.id))) }
        for outcome in try session.callAll(.machine, deletes, versioned: true, missingIsNil: true) { _ = try outcome.get() }
    }

    private func servers(reservation: String) throws(FabricError) -> [Machine] {
        try session.collect(.machine, Servers.detail(try compute, filters: [("reservation_id", reservation)]),
                            key: "servers", versioned: true).compactMap { Servers.machine($0, providerID: record.id) }
    }

    /// The rollback of a failed boot. With the reservation id the reply named, exactly those
    /// servers go. A create the cloud refused (4xx) made nothing. Otherwise the outcome is unknown
    /// (no reply, a 5xx): servers are looked for by their group tag now and once more after the
    /// few seconds in which a cloud that did not answer may still commit them.
    private func removeCreated(_ request: BootRequest, reservation: String?, refused: Bool) {
        if refused { return }
        let group = request.group
        let find: () throws(FabricError) -> [Machine] = if let reservation {
            { () throws(FabricError) in try self.servers(reservation: reservation) }
        } else {
            { () throws(FabricError) in try self.listMachines().filter { $0.group == group && $0.batch == request.batch } }
        }
        for round in 0..<(reservation == nil ? 2 : 1) {
            if round > 0 { sleep(seconds: 3) }
            do throws(FabricError) {
                let found = try find()
                if found.isEmpty { continue }
                let failures = try destroy(found.map { MachineRef(uuid: $0.uuid, publicAddresses: $0.publicAddresses) }, force: false)
                for (uuid, failure) in failures where failure.httpStatus != 404 {
                    warn("could not remove machine \(uuid) of the failed boot: \(failure.message)")
                }
            } catch {
                warn("could not remove the machines of group \(group): \(error.message); check with fabric-list-machines -p \(record.id) --group \(group)")
                return
            }
        }
    }

    // MARK: machines

    /// One request per call, whatever the number of machines: a single machine by id, several
    /// from the project's server list.
    func machines(_ uuids: [String]) throws(FabricError) -> [Machine] {
        let root = try compute
        if uuids.count == 1 {
            let server = try session.call(.machine, "GET", try Servers.one(root, uuids[0]), versioned: true, missingIsNil: true)
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

    /// Each machine's own pipeline, all over one batch: its floating IPs' DELETEs (Nova would
    /// leave them allocated), then, as soon as they are all released, its server's DELETE, not
    /// waiting for another machine's addresses; then one wait for all the servers. Ten machines
    /// take about as long as one, and a server whose address could not be released is kept.
    func destroy(_ machines: [MachineRef], force: Bool) throws(FabricError) -> [String: FabricError] {
        guard !machines.isEmpty else { return [:] }
        let root = try compute
        let serverURLs = try Dictionary(machines.map { machine throws(FabricError) in (machine.uuid, try Servers.one(root, machine.uuid)) },
                                        uniquingKeysWith: { first, _ in first })
        let releasing = try publicAddresses(of: machines)
        var unreleased = Dictionary(releasing.map { ($0.machine, 1) }, uniquingKeysWith: +)
        var keptFor: [String: FabricError] = [:]
        var failures: [String: FabricError] = [:]
        var waiting: [String] = []
        // What each request of the stream is, by its number.
        enum Step { case release(PublicAddress), deleteServer(String) }
        var steps: [Step] = []
        func deleteServer(_ uuid: String) -> OpenStackSession.Request {
            steps.append(.deleteServer(uuid))
            return OpenStackSession.Request("DELETE", serverURLs[uuid]!, versioned: true)
        }
        var first: [OpenStackSession.Request] = []
        if !releasing.isEmpty {
            let networkRoot = try network
            for address in releasing {
                steps.append(.release(address))
                first.append(OpenStackSession.Request("DELETE", try Networking.floatingIP(networkRoot, address.id)))
            }
        }
        for machine in machines where unreleased[machine.uuid] == nil { first.append(deleteServer(machine.uuid)) }
        try session.stream(.machine, first, missingIsNil: true) { number, outcome throws(FabricError) in
            switch steps[number] {
            case .release(let address):
                if case .failure(let failure) = outcome {
                    guard failure.kind == .machine else { throw failure }
                    keptFor[address.machine] = keptFor[address.machine] ?? AddressRelease.failure(address.address, of: address.machine, failure)
                }
                unreleased[address.machine, default: 0] -= 1
                guard unreleased[address.machine] == 0 else { return [] }
                // Its address stays: the machine is kept, or deleted anyway with a warning under --force.
                if let kept = keptFor[address.machine], AddressRelease.kept([address.machine: kept], force: force)[address.machine] != nil {
                    failures[address.machine] = kept
                    return []
                }
                return [deleteServer(address.machine)]
            case .deleteServer(let uuid):
                switch outcome {
                case .success(.some):
                    waiting.append(uuid)
                case .success(.none):
                    failures[uuid] = FabricError(.machine, "machine \(uuid) not found on provider \(quoted(record.id))",
                                                 hint: "use --force to forget it anyway", httpStatus: 404)
                case .failure(let failure):
                    guard failure.kind == .machine else { throw failure }
                    failures[uuid] = failure
                }
                return []
            }
        }
        guard !waiting.isEmpty else { return failures }
        // An interruption ends the wait, not the deletes: Nova has accepted them.
        let outcome = try Backoff(first: 0.2, factor: 1.5, cap: 1).poll(timeout: session.settings.deleteTimeout) { () throws(FabricError) in
            let left = Set(try self.machines(waiting).map(\.uuid))
            waiting.removeAll { !left.contains($0) }
            return waiting.isEmpty
        }
        if outcome == .timedOut {
            for uuid in waiting {
                failures[uuid] = FabricError(.timeout, "machine \(uuid) still exists \(Int(session.settings.deleteTimeout)) s after its delete")
            }
        }
        return failures
    }

    /// A floating IP to release, and the machine it is released for.
    private struct PublicAddress {
        let id: String, address: String, machine: String
    }

    /// The floating IPs on the machines' ports, and those their records name that no port holds
    /// any more (Neutron keeps an address when its server is deleted behind fabric's back): one
    /// ports query and one or two floating-IP queries for all the machines.
    private func publicAddresses(of machines: [MachineRef]) throws(FabricError) -> [PublicAddress] {
        let root = try network
        var machineOfPort: [String: String] = [:]
        for batch in machines.map(\.uuid).batched(Networking.filterBatch) {
            for port in try session.call(.machine, "GET", Networking.ports(root, devices: batch))?["ports"]?.items ?? [] {
                if let id = port["id"]?.string, let device = port["device_id"]?.string { machineOfPort[id] = device }
            }
        }
        var releasing: [PublicAddress] = []
        func release(_ found: JSON, of machine: String) {
            guard let id = found["id"]?.string, !releasing.contains(where: { $0.id == id }) else { return }
            releasing.append(PublicAddress(id: id, address: found["floating_ip_address"]?.string ?? id, machine: machine))
        }
        for batch in machineOfPort.keys.sorted().batched(Networking.filterBatch) {
            for found in try session.call(.machine, "GET", Networking.floatingIPs(root, ports: batch))?["floatingips"]?.items ?? [] {
                if let machine = found["port_id"]?.string.flatMap({ machineOfPort[$0] }) { release(found, of: machine) }
            }
        }
        let held = Set(releasing.map(\.address))
        var machineOfAddress: [String: String] = [:]
        for machine in machines {
            for address in machine.publicAddresses where !held.contains(address) { machineOfAddress[address] = machine.uuid }
        }
        for batch in machineOfAddress.keys.sorted().batched(Networking.filterBatch) {
            for found in try session.call(.machine, "GET", Networking.floatingIPs(root, addresses: batch))?["floatingips"]?.items ?? [] {
                // One that another server's port holds now is not ours to release.
                guard found["port_id"]?.string.map({ machineOfPort[$0] != nil }) ?? true,
                      let machine = found["floating_ip_address"]?.string.flatMap({ machineOfAddress[$0] }) else { continue }
                release(found, of: machine)
            }
        }
        return releasing
    }

    /// One round for all the machines still without an address: one ports query, one
    /// floating-IP query for the ports found (an address made in an earlier, interrupted round
    /// is found, not made twice), then one create for each port that has none.
    func attachPublicAddresses(_ uuids: [String], network name: String) throws(FabricError) -> [String: String] {
        let root = try network
        let external = try network(name, external: true, what: "public network").id
        var portOf: [String: String] = [:]
        for batch in uuids.batched(Networking.filterBatch) {
            for port in try session.call(.machine, "GET", Networking.ports(root, devices: batch))?["ports"]?.items ?? [] {
                if let device = port["device_id"]?.string, let id = port["id"]?.string, portOf[device] == nil { portOf[device] = id }
            }
        }
        let portless = uuids.filter { portOf[$0] == nil }
        if !portless.isEmpty { try checkStillBuilding(portless) }
        var given: [String: String] = [:]
        var held: [String: String] = [:]
        for batch in Array(portOf.values).batched(Networking.filterBatch) {
            for address in try session.call(.machine, "GET", Networking.floatingIPs(root, ports: batch))?["floatingips"]?.items ?? []
            where address["floating_network_id"]?.string == external {
                if let port = address["port_id"]?.string, let ip = address["floating_ip_address"]?.string { held[port] = ip }
            }
        }
        var creating: [(uuid: String, request: OpenStackSession.Request)] = []
        for uuid in uuids {
            guard let port = portOf[uuid] else { continue }
            if let ip = held[port] {
                given[uuid] = ip
            } else {
                creating.append((uuid, OpenStackSession.Request("POST", Networking.floatingIPs(root),
                                                                json: Networking.createFloatingIP(network: external, port: port))))
            }
        }
        // Sent together. A failed one fails the call once all have answered: the addresses made
        // are on the machines' ports, where the rollback looks for them.
        for (machine, outcome) in zip(creating, try session.callAll(.machine, creating.map(\.request))) {
            guard let address = try outcome.get()?.json?["floatingip"]?["floating_ip_address"]?.string else {
                throw FabricError.machine("the floating IP reply for machine \(machine.uuid) names no address")
            }
            given[machine.uuid] = address
        }
        return given
    }

    /// Machines without a port yet must still be building: one that failed or is gone never gets one.
    private func checkStillBuilding(_ uuids: [String]) throws(FabricError) {
        let found = try machines(uuids)
        for uuid in uuids {
            guard let machine = found.first(where: { $0.uuid == uuid }) else {
                throw FabricError.machine("machine \(uuid) no longer exists on provider \(quoted(record.id))")
            }
            if machine.isFailed {
                throw FabricError.machine("machine \(uuid) (\(machine.name)) went to ERROR: \(machine.fault ?? "the provider gave no reason")")
            }
            if machine.isReady {
                throw FabricError.machine("machine \(uuid) is ACTIVE but has no port to give a public address to")
            }
        }
    }

    // MARK: snapshots

    /// Nova's os-getConsoleOutput, one request per machine, sent together. A server not yet on
    /// a compute host is a 409 (InstanceNotReady): no log yet.
    func bootLogs(_ uuids: [String], lines: Int) throws(FabricError) -> [String: [UInt8]] {
        let root = try compute
        var requests: [OpenStackSession.Request] = []
        for uuid in uuids {
            requests.append(.init("POST", try Servers.action(root, uuid), json: Servers.consoleOutputBody(lines: lines)))
        }
        var logs: [String: [UInt8]] = [:]
        for (uuid, outcome) in zip(uuids, try session.callAll(.machine, requests, versioned: true, missingIsNil: true)) {
            switch outcome {
            case .success(let reply?): logs[uuid] = Array((reply.json?["output"]?.string ?? "").utf8)
            case .success(nil): throw FabricError.machine("machine \(uuid) no longer exists on provider \(quoted(record.id))")
            case .failure(let error) where error.httpStatus == 409: continue
            case .failure(let error): throw error
            }
        }
        return logs
    }

    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot {
        let body = JSON(["createImage": JSON(["name": JSON(name), "metadata":
            FabricMetadata.object(FabricMetadata.belongingTags(machine: uuid, providerID: record.id))])])
        var location: String?
        let reply = try session.call(.snapshot, "POST", try Servers.action(try compute, uuid), json: body, versioned: true,
                                     response: { location = $0.header("Location") })
        guard let id = Images.createdID(body: reply, location: location) else {
            throw FabricError.snapshot("the createImage reply for machine \(uuid) names no image")
        }
        return Snapshot(id: id, name: name, machineUUID: uuid, providerID: record.id, status: "queued", created: timestamp())
    }

    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot] {
        let root = try image
        return try session.collect(.snapshot, Images.list(root, filters: [(FabricMetadata.snapshotOf, uuid)]),
                                   key: "images", glanceRoot: root)
            .compactMap { Images.snapshot($0, providerID: record.id) }.filter { $0.machineUUID == uuid }
    }

    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot] {
        let root = try image
        var found: [Snapshot] = []
        for id in ids {
            if let image = try session.call(.snapshot, "GET", try Images.one(root, id), missingIsNil: true),
               let snapshot = Images.snapshot(image, providerID: record.id) {
                found.append(snapshot)
            }
        }
        return found
    }

    func destroySnapshot(_ id: String) throws(FabricError) {
        let root = try image
        var existed = false
        try session.call(.snapshot, "DELETE", try Images.one(root, id), missingIsNil: true, response: { _ in existed = true })
        guard existed else { throw FabricError.snapshot("snapshot \(id) not found on provider \(quoted(record.id))") }
    }
}
