import FabricRecords
import FabricStore

/// NULLPROVIDER: an emulated cloud kept in the store, so that the separate processes of a
/// pipeline see the same machines. Machines go BUILD -> ACTIVE after `build_seconds`, snapshots
/// saving -> active after `snapshot_seconds`; states are derived from creation times, so no
/// process has to stay behind to move them along. Knobs in NullSettings inject failures.
final class NullProvider: Provider {
    let record: ProviderRecord
    private let settings: NullSettings
    private let database: any Database

    init(record: ProviderRecord, store: Store) throws(FabricError) {
        self.record = record
        settings = try NullSettings(extra: record.extra)
        database = store.database
    }

    /// Every call pays the configured latency; an interruption cuts the wait short.
    private func call() {
        sleep(seconds: settings.latencySeconds)
    }

    // MARK: images and flavors

    /// The whole catalogue whatever is asked: the search on the client decides.
    func images(matching _: CatalogQuery = .everything) throws(FabricError) -> [JSON] {
        call()
        var result = NullCatalog.images.map(NullCatalog.json)
        for snapshot in try snapshotRows("provider_id = ?", [.text(record.id)]) {
            let image = JSON.object()
            image["id"] = JSON(snapshot.snapshot.id)
            image["name"] = JSON(snapshot.snapshot.name)
            image["status"] = JSON(snapshot.snapshot.status)
            image["min_disk"] = JSON(snapshot.minDisk)
            image["min_ram"] = JSON(snapshot.minRam)
            image["visibility"] = JSON("private")
            image["image_type"] = JSON("snapshot")
            image[FabricMetadata.snapshotOf] = JSON(snapshot.snapshot.machineUUID)
            result.append(image)
        }
        return result
    }

    func flavors(matching _: CatalogQuery) throws(FabricError) -> [JSON] {
        call()
        return NullCatalog.flavors.map(NullCatalog.json)
    }

    // MARK: machines

    func boot(_ request: BootRequest) throws(FabricError) -> [Machine] {
        guard request.spread == .zone else { return try bootInOneCall(request) }
        for zone in request.availabilityZones where !settings.availabilityZones.contains(zone) {
            throw FabricError.usage("availability zone \(quoted(zone)) does not exist (zones: \(settings.availabilityZones.joined(separator: ", ")))")
        }
        return try bootAcrossZones(request) { part throws(FabricError) in try self.bootInOneCall(part) }
    }

    private func bootInOneCall(_ request: BootRequest) throws(FabricError) -> [Machine] {
        call()
        if settings.failCreate {
            throw FabricError.machine("create refused by the cloud: injected failure (fail_create) on provider \(quoted(record.id))")
        }
        try checkImageAndFlavor(request)
        let zone = try availabilityZone(request)
        for group in request.securityGroups where !NullCatalog.securityGroups.contains(group) {
            throw FabricError.usage("security group \(quoted(group)) not found (groups: \(NullCatalog.securityGroups.sorted().joined(separator: ", ")))")
        }
        let network = try privateNetwork(for: request)
        try checkPublicNetworks(request)
        let machines = try database.transaction { () throws(FabricError) in
            try checkQuota(request)
            let placement = try hosts(for: request)
            var used = Set(try database.rows("SELECT private_address FROM null_servers WHERE network = ?", [.text(network.name)])
                .compactMap { $0.text(0) })
            let created = now()
            var machines: [Machine] = []
            for index in 1...request.count {
                let address = try privateAddress(request, on: network, used: used)
                used.insert(address)
                machines.append(try insertServer(request, index: index, zone: zone, host: placement.hosts[index - 1],
                                                 noValidHost: placement.noValidHost, network: network, address: address, created: created))
            }
            return machines
        }
        // Started once the machines are committed: a failed insert leaves nothing running. A
        // machine whose script cannot start boots without it; its boot log says why.
        if let processes = settings.processes, NullMachineProcesses.isScript(request.userdata) {
            for machine in machines where settings.failMachine != FabricMetadata.machineIndex(name: machine.name) {
                do {
                    try processes.start(uuid: machine.uuid, name: machine.name, address: machine.addresses[0], userdata: request.userdata!)
                } catch {
                    warn("machine \(machine.uuid): its user data did not start: \(error.message)")
                }
            }
        }
        return machines
    }

    /// That the image exists and is active, and the flavor is big enough for it.
    private func checkImageAndFlavor(_ request: BootRequest) throws(FabricError) {
        let images = try self.images()
        guard let image = images.first(where: { $0["id"]?.string == request.imageID }) else {
            throw FabricError.machine("image \(quoted(request.imageID)) not found on provider \(quoted(record.id))")
        }
        guard image["status"]?.string == "active" else {
            throw FabricError.machine("image \(quoted(request.imageID)) is \(image["status"]?.string ?? "unknown"), not active")
        }
        guard let flavor = NullCatalog.flavors.first(where: { $0.id == request.flavorID }) else {
            throw FabricError.machine("flavor \(quoted(request.flavorID)) not found on provider \(quoted(record.id))")
        }
        if flavor.disk < image["min_disk"]?.int ?? 0 {
            throw FabricError.machine("flavor \(flavor.name)'s disk (\(flavor.disk) GB) is too small for image \(image["name"]?.string ?? "") (min_disk \(image["min_disk"]?.int ?? 0) GB)")
        }
        if flavor.ram < image["min_ram"]?.int ?? 0 {
            throw FabricError.machine("flavor \(flavor.name)'s memory (\(flavor.ram) MB) is too small for image \(image["name"]?.string ?? "") (min_ram \(image["min_ram"]?.int ?? 0) MB)")
        }
    }

    private func availabilityZone(_ request: BootRequest) throws(FabricError) -> String {
        let zone = request.availabilityZone ?? settings.availabilityZones[0]
        guard settings.availabilityZones.contains(zone) else {
            throw FabricError.usage("availability zone \(quoted(zone)) does not exist (zones: \(settings.availabilityZones.joined(separator: ", ")))")
        }
        return zone
    }

    private func checkPublicNetworks(_ request: BootRequest) throws(FabricError) {
        if let name = request.publicNetwork, NullCatalog.network(name)?.external != true {
            throw FabricError.usage("public network \(quoted(name)) not found or not external")
        }
        for nic in request.publicNics {
            if let id = nic.networkID, NullCatalog.network(id)?.external != true {
                throw FabricError.usage("public nic network \(quoted(id)) not found or not external")
            }
        }
    }

    /// All or nothing: the machines asked for fit under the quota, or none is made.
    private func checkQuota(_ request: BootRequest) throws(FabricError) {
        let existing = try database.rows("SELECT count(*) FROM null_servers WHERE provider_id = ?", [.text(record.id)])
            .first?.integer(0) ?? 0
        if existing + request.count > settings.quota {
            throw FabricError.machine("quota exceeded: \(existing) machines exist, \(request.count) more asked, quota is \(settings.quota)")
        }
    }

    /// Each new machine's emulated host, as Nova's scheduler picks them: without a spread the
    /// least loaded host; `soft` the one with the fewest members of the group; `host` one with
    /// fewer than max-per-host members, and when some machine of the call has none, no host for
    /// any of them (Nova fails a multi-create whole). `spread_race` puts its machine beside another
    /// member, as a late check that missed a concurrent create.
    private func hosts(for request: BootRequest) throws(FabricError) -> (hosts: [String], noValidHost: Bool) {
        var load: [Int: Int] = [:], members: [Int: Int] = [:]
        var groupSize = 0
        for row in try database.rows("SELECT host, group_id FROM null_servers WHERE provider_id = ?", [.text(record.id)]) {
            let inGroup = row.text(1) == request.group
            if inGroup { groupSize += 1 }
            // A machine made before the emulated hosts (schema 8) is on none.
            guard let host = row.text(0).flatMap(Self.hostNumber) else { continue }
            load[host, default: 0] += 1
            if inGroup { members[host, default: 0] += 1 }
        }
        if request.spread.placesByHost && groupSize + request.count > settings.serverGroupMembers {
            throw SpreadMessages.membersQuota(group: request.group, members: groupSize, asked: request.count,
                                              limit: settings.serverGroupMembers)
        }
        let most = request.maxPerHost ?? 1
        var chosen: [String] = []
        for index in 1...request.count {
            let all = Array(1...settings.hosts)
            var host: Int?
            switch request.spread {
            case .host where settings.spreadRace == index:
                host = all.max { (members[$0] ?? 0, -$0) < (members[$1] ?? 0, -$1) }
            case .host:
                host = all.filter { members[$0, default: 0] < most }.min { (load[$0] ?? 0, $0) < (load[$1] ?? 0, $1) }
            case .soft:
                host = all.min { (members[$0] ?? 0, load[$0] ?? 0, $0) < (members[$1] ?? 0, load[$1] ?? 0, $1) }
            case .none, .zone:
                host = all.min { (load[$0] ?? 0, $0) < (load[$1] ?? 0, $1) }
            }
            // Nova fails a multi-create whole: no machine of it gets a host.
            guard let host else { return (Array(repeating: "", count: request.count), true) }
            load[host, default: 0] += 1
            members[host, default: 0] += 1
            chosen.append(Self.hostName(host))
        }
        return (chosen, false)
    }

    static func hostName(_ number: Int) -> String { "host-\(number)" }
    static func hostNumber(_ name: String) -> Int? { name.hasPrefix("host-") ? Int(name.dropFirst(5)) : nil }

    /// The fixed address of a single machine's NIC, else the first free one on the network (or
    /// in the address pool).
    private func privateAddress(_ request: BootRequest, on network: NullCatalog.Network, used: Set<String>) throws(FabricError) -> String {
        if let pool = settings.addressPool { return try freeAddress(in: pool) }
        if let fixed = request.privateNics.first?.fixedIPv4, request.count == 1 {
            guard fixed.hasPrefix(network.prefix), !used.contains(fixed) else {
                throw FabricError.machine("fixed address \(fixed) is not free on network \(network.name)")
            }
            return fixed
        }
        guard let free = (2...254).lazy.map({ network.prefix + String($0) }).first(where: { !used.contains($0) }) else {
            throw FabricError.machine("no free address left on network \(network.name)")
        }
        return free
    }

    /// Stores the `index`th machine of a boot (failed if `fail_machine` names it) and returns it.
    private func insertServer(_ request: BootRequest, index: Int, zone: String, host: String, noValidHost: Bool,
                              network: NullCatalog.Network, address: String, created: Double) throws(FabricError) -> Machine {
        let uuid = makeUUID()
        let failed = noValidHost ? SpreadMessages.noValidHost
            : settings.failMachine == index ? "injected failure (fail_machine=\(index)): machine \(index) of \(request.count) failed to spawn" : nil
        try database.run("""
            INSERT INTO null_servers (id, provider_id, name, group_id, image_id, flavor_id, av_zone, host, network,
                                      private_address, failed_reason, metadata, request, created)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(uuid), .text(record.id), .text(FabricMetadata.machineName(prefix: request.namePrefix, index: index)), .text(request.group),
                  .text(request.imageID), .text(request.flavorID), .text(zone), .text(host), .text(network.name),
                  .text(address), failed.map(SQLValue.text), .text(metadata(for: request).encoded()),
                  .text(describe(request).encoded()), .real(created)])
        return try machineRows("id = ?", [.text(uuid)])[0]
    }

    private func privateNetwork(for request: BootRequest) throws(FabricError) -> NullCatalog.Network {
        if let nic = request.privateNics.first {
            if let id = nic.networkID {
                guard let network = NullCatalog.network(id), !network.external else {
                    throw FabricError.usage("private nic network \(quoted(id)) not found")
                }
                return network
            }
            throw FabricError.machine("port \(quoted(nic.portID ?? "")) not found (the null provider has no ports)")
        }
        let name = request.privateNetwork ?? "private"
        guard let network = NullCatalog.network(name), !network.external else {
            throw FabricError.usage("private network \(quoted(name)) not found (networks: private, private2)")
        }
        return network
    }

    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON] {
        let call = JSON.object()
        call["call"] = JSON("boot")
        call["count"] = JSON(request.count)
        call["group"] = JSON(request.group)
        call["request"] = describe(request)
        return [call]
    }

    /// The metadata each machine gets: the user's --meta and fabric's own tags.
    private func metadata(for request: BootRequest) -> JSON {
        FabricMetadata.object(FabricMetadata.machineTags(request, providerID: record.id))
    }

    /// What the cloud was asked (name prefix, metadata and every option), kept with the machine
    /// so tests can see every option arrived, and printed by fabric-boot --dry-run.
    private func describe(_ request: BootRequest) -> JSON {
        let object = JSON.object()
        object["image"] = JSON(request.imageID)
        object["flavor"] = JSON(request.flavorID)
        object["name_prefix"] = JSON(request.namePrefix)
        object["meta"] = metadata(for: request)
        if let zone = request.availabilityZone { object["availability_zone"] = JSON(zone) }
        if let key = request.keyName { object["key_name"] = JSON(key) }
        if !request.securityGroups.isEmpty { object["security_groups"] = JSON(request.securityGroups) }
        if let network = request.privateNetwork { object["private_network"] = JSON(network) }
        if let network = request.publicNetwork { object["public_network"] = JSON(network) }
        if let userdata = request.userdata { object["userdata_bytes"] = JSON(userdata.count) }
        if let swap = request.swapMB { object["swap"] = JSON(swap) }
        if !request.blockDevices.isEmpty { object["block_devices"] = .array(request.blockDevices.map { $0.json() }) }
        if !request.schedulerHints.isEmpty {
            let hints = JSON.object()
            for (key, value) in request.schedulerHints { hints[key] = JSON(value) }
            object["scheduler_hints"] = hints
        }
        if !request.privateNics.isEmpty { object["private_nics"] = .array(request.privateNics.map { $0.json() }) }
        if !request.publicNics.isEmpty { object["public_nics"] = .array(request.publicNics.map { $0.json() }) }
        if !request.files.isEmpty {
            let files = JSON.object()
            for file in request.files { files[file.path] = JSON(file.contents.count) }
            object["files"] = files
        }
        if request.configDrive { object["config_drive"] = JSON(true) }
        if request.spread != .none { object["spread"] = JSON(request.spreadTag!) }
        if !request.availabilityZones.isEmpty { object["availability_zones"] = JSON(request.availabilityZones) }
        return object
    }

    private func machineRows(_ condition: String, _ values: [SQLValue?]) throws(FabricError) -> [Machine] {
        let rows = try database.rows("""
            SELECT id, name, group_id, image_id, flavor_id, av_zone, private_address, failed_reason, metadata, created, host
            FROM null_servers WHERE \(condition) ORDER BY created, \(database.dialect.insertionOrder)
            """, values)
        var machines: [Machine] = []
        for row in rows {
            let id = row.text(0)!
            let publicAddresses = try database.rows("SELECT address FROM null_addresses WHERE server_id = ? ORDER BY \(database.dialect.insertionOrder)", [.text(id)])
                .compactMap { $0.text(0) }
            let created = row.real(9) ?? 0
            let built = now() - created >= settings.buildSeconds
            let failure = row.text(7)
            var metadata: [(key: String, value: String)] = []
            if let text = row.text(8), let object = try? JSON.parse(text) {
                metadata = object.fields.map { ($0.key, $0.value.scalarText ?? "") }
            }
            var machine = Machine(
                uuid: id, providerID: record.id, name: row.text(1) ?? "", group: row.text(2),
                batch: FabricMetadata.value(FabricMetadata.batch, in: metadata),
                status: !built ? "BUILD" : failure == nil ? "ACTIVE" : "ERROR",
                avZone: row.text(5), addresses: [row.text(6)!] + publicAddresses, publicAddresses: publicAddresses,
                fault: built ? failure : nil, created: timestamp(created), imageID: row.text(3), flavorID: row.text(4),
                metadata: metadata.filter { !FabricMetadata.reserved.contains($0.key) })
            // As Nova shows it: once the machine is on a host.
            if built, let host = row.text(10), !host.isEmpty { machine.hostID = host }
            machine.spread = FabricMetadata.value(FabricMetadata.spread, in: metadata)
            machines.append(machine)
        }
        return machines
    }

    func machines(_ uuids: [String]) throws(FabricError) -> [Machine] {
        call()
        guard !uuids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: uuids.count).joined(separator: ",")
        return try machineRows("provider_id = ? AND id IN (\(marks))", [.text(record.id)] + uuids.map(SQLValue.text))
    }

    func listMachines() throws(FabricError) -> [Machine] {
        call()
        return try machineRows("provider_id = ?", [.text(record.id)])
    }

    func destroy(_ machines: [MachineRef], force: Bool) throws(FabricError) -> [String: FabricError] {
        call()
        var failures: [String: FabricError] = [:]
        for machine in machines {
            if settings.failDestroy {
                failures[machine.uuid] = FabricError.machine("delete of machine \(machine.uuid) refused by the cloud: injected failure (fail_destroy)")
                continue
            }
            try database.transaction { () throws(FabricError) in
                try database.run("DELETE FROM null_addresses WHERE server_id = ?", [.text(machine.uuid)])
                // An address the record names outlives a server deleted behind fabric's back.
                for address in machine.publicAddresses {
                    try database.run("DELETE FROM null_addresses WHERE provider_id = ? AND address = ? AND server_id = ?",
                                     [.text(record.id), .text(address), .text(machine.uuid)])
                }
                let removed = try database.run("DELETE FROM null_servers WHERE provider_id = ? AND id = ?",
                                               [.text(record.id), .text(machine.uuid)])
                if removed == 0 {
                    failures[machine.uuid] = FabricError(.machine, "machine \(machine.uuid) not found on provider \(quoted(record.id))",
                                                         hint: "use --force to forget it anyway", httpStatus: 404)
                }
            }
        }
        settings.processes?.stop(machines.map(\.uuid).filter { failures[$0] == nil })
        return failures
    }

    /// An emulated machine can have an address once it is ACTIVE.
    func attachPublicAddresses(_ uuids: [String], network name: String) throws(FabricError) -> [String: String] {
        call()
        guard let network = NullCatalog.network(name), network.external else {
            throw FabricError.machine("public network \(quoted(name)) not found or not external")
        }
        let found = Dictionary(try machines(uuids).map { ($0.uuid, $0) }, uniquingKeysWith: { first, _ in first })
        var given: [String: String] = [:]
        for uuid in uuids {
            guard let machine = found[uuid] else {
                throw FabricError.machine("machine \(uuid) not found on provider \(quoted(record.id))")
            }
            if machine.isFailed {
                throw FabricError.machine("machine \(uuid) went to ERROR: \(machine.fault ?? "the provider gave no reason")")
            }
            guard machine.isReady else { continue }
            if settings.failPublicAddress {
                throw FabricError.machine("no public address for machine \(uuid): injected failure (fail_public_address)")
            }
            if let held = machine.publicAddresses.first(where: { $0.hasPrefix(network.prefix) }) {
                given[uuid] = held
                continue
            }
            given[uuid] = try database.transaction { () throws(FabricError) in
                let used = Set(try database.rows("SELECT address FROM null_addresses").compactMap { $0.text(0) })
                let free: String
                if let pool = settings.addressPool {
                    free = try freeAddress(in: pool)
                } else {
                    guard let next = (2...254).lazy.map({ network.prefix + String($0) }).first(where: { !used.contains($0) }) else {
                        throw FabricError.machine("no free address left on public network \(network.name)")
                    }
                    free = next
                }
                try database.run("INSERT INTO null_addresses (address, provider_id, server_id, network) VALUES (?, ?, ?, ?)",
                                 [.text(free), .text(record.id), .text(uuid), .text(network.name)])
                return free
            }
        }
        return given
    }

    /// The first address of the pool that no machine of this provider holds, private or public.
    private func freeAddress(in pool: AddressPool) throws(FabricError) -> String {
        let held = Set(try database.rows("SELECT private_address FROM null_servers WHERE provider_id = ?", [.text(record.id)])
            .compactMap { $0.text(0) } + database.rows("SELECT address FROM null_addresses WHERE provider_id = ?", [.text(record.id)])
            .compactMap { $0.text(0) })
        guard let free = pool.addresses.first(where: { !held.contains($0) }) else {
            throw FabricError.machine("no free address left in address_pool (\(pool.addresses.count) addresses)")
        }
        return free
    }

    // MARK: readiness

    /// An emulated boot log: the kernel's first line once the machine is ACTIVE, cloud-init's
    /// stages, and its final line `cloud_init_seconds` later; the machine `fail_cloud_init` names
    /// logs its user script failing first, as cloud-init does.
    func bootLogs(_ uuids: [String], lines: Int) throws(FabricError) -> [String: [UInt8]] {
        call()
        var logs: [String: [UInt8]] = [:]
        for machine in try machines(uuids) {
            guard machine.isReady, let created = try createdTime(machine.uuid) else { continue }
            let active = created + settings.buildSeconds
            if let console = settings.processes?.console(machine.uuid) {
                logs[machine.uuid] = lastLines(NullBootLog.executed(console.output, exitStatus: console.exitStatus, active: active), lines)
                continue
            }
            let index = FabricMetadata.machineIndex(name: machine.name)
            let log = NullBootLog.lines(active: active, cloudInit: settings.cloudInitSeconds, now: now(),
                                        scriptFails: index != nil && index == settings.failCloudInit)
            logs[machine.uuid] = lastLines(Array(log.utf8), lines)
        }
        return logs
    }

    /// With an address pool, the machine's address (a server a test runs there answers);
    /// without one, nothing is connected to: its ports answer `service_seconds` after ACTIVE.
    func reach(_ machine: Machine, port: Int, address: AddressChoice) -> Reach {
        let real = defaultReach(machine, address: address)
        if settings.addressPool != nil { return real }
        if case .unreachable = real { return real }
        guard machine.isReady, let created = try? createdTime(machine.uuid) else { return .emulated(open: false) }
        return .emulated(open: now() >= created + settings.buildSeconds + settings.serviceSeconds)
    }

    /// When the machine was made, to the fraction of a second its states are derived from.
    private func createdTime(_ uuid: String) throws(FabricError) -> Double? {
        try database.rows("SELECT created FROM null_servers WHERE provider_id = ? AND id = ?", [.text(record.id), .text(uuid)])
            .first?.real(0)
    }

    // MARK: snapshots

    private func snapshotRows(_ condition: String, _ values: [SQLValue?]) throws(FabricError)
        -> [(snapshot: Snapshot, minDisk: Int, minRam: Int)] {
        try database.rows("""
            SELECT id, name, machine_uuid, min_disk, min_ram, failed_reason, created
            FROM null_images WHERE \(condition) ORDER BY created, \(database.dialect.insertionOrder)
            """, values).map { row in
            let created = row.real(6) ?? 0
            let done = now() - created >= settings.snapshotSeconds
            let failure = row.text(5)
            return (Snapshot(id: row.text(0)!, name: row.text(1) ?? "", machineUUID: row.text(2) ?? "",
                             providerID: record.id, status: !done ? "saving" : failure == nil ? "active" : "killed",
                             created: timestamp(created), fault: done ? failure : nil),
                    row.integer(3) ?? 0, row.integer(4) ?? 0)
        }
    }

    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot {
        call()
        guard let machine = try machines([uuid]).first else {
            throw FabricError.machine("machine \(uuid) not found on provider \(quoted(record.id))")
        }
        guard machine.status == "ACTIVE" else {
            throw FabricError.snapshot("machine \(uuid) is \(machine.status); a snapshot needs it ACTIVE")
        }
        let flavor = NullCatalog.flavors.first { $0.id == machine.flavorID }
        let id = makeUUID()
        try database.run("""
            INSERT INTO null_images (id, provider_id, name, machine_uuid, min_disk, min_ram, failed_reason, created)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(id), .text(record.id), .text(name), .text(uuid), .integer(flavor?.disk ?? 1),
                  .integer(flavor?.ram ?? 512),
                  settings.failSnapshot ? .text("injected failure (fail_snapshot): snapshot of \(uuid) was killed") : nil,
                  .real(now())])
        return try snapshotRows("id = ?", [.text(id)])[0].snapshot
    }

    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot] {
        call()
        return try snapshotRows("provider_id = ? AND machine_uuid = ?", [.text(record.id), .text(uuid)]).map(\.snapshot)
    }

    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot] {
        call()
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        return try snapshotRows("provider_id = ? AND id IN (\(marks))", [.text(record.id)] + ids.map(SQLValue.text))
            .map(\.snapshot)
    }

    func destroySnapshot(_ id: String) throws(FabricError) {
        call()
        if try database.run("DELETE FROM null_images WHERE provider_id = ? AND id = ?", [.text(record.id), .text(id)]) == 0 {
            throw FabricError.snapshot("snapshot \(id) not found on provider \(quoted(record.id))")
        }
    }
}

/// What an emulated guest writes to its console while cloud-init runs, with cloud-init's own
/// words (its stage lines, the WARNING lines of a failed user script, its final line).
enum NullBootLog {
    static let version = "Cloud-init v. 24.1.4-0ubuntu1~24.04.1"

    static func lines(active: Double, cloudInit: Double, now: Double, scriptFails: Bool) -> String {
        var entries: [(at: Double, line: String)] = [
            (0, "[    0.000000] Linux version 6.8.0-49-generic (buildd@lcy02-amd64-103) #49-Ubuntu SMP"),
            (cloudInit * 0.2, "[    4.202511] cloud-init[604]: \(version) running 'init' at \(consoleTime(active + cloudInit * 0.2)). Up 4.19 seconds."),
            (cloudInit * 0.6, "[    9.880135] cloud-init[750]: \(version) running 'modules:final' at \(consoleTime(active + cloudInit * 0.6)). Up 9.87 seconds."),
        ]
        if scriptFails {
            entries.append((cloudInit * 0.8, "[   10.011342] cloud-init[750]: 2026-12-04 10:00:10,011 - subp.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 [1]"))
            entries.append((cloudInit * 0.8, "[   10.012001] cloud-init[750]: 2026-12-04 10:00:10,012 - cc_scripts_user.py[WARNING]: Failed to run module scripts_user (scripts in /var/lib/cloud/instance/scripts)"))
        }
        entries.append((cloudInit, "[   10.113230] cloud-init[750]: \(version) finished at \(consoleTime(active + cloudInit)). Datasource DataSourceNoCloud.  Up 10.10 seconds"))
        return entries.filter { now >= active + $0.at }.map { $0.line + "\n" }.joined()
    }

    /// The boot log of a machine that runs its user data: the kernel's and cloud-init's first
    /// lines, the script's own output, and once it ended, cloud-init's verdict on it.
    static func executed(_ console: [UInt8], exitStatus: Int?, active: Double) -> [UInt8] {
        var log = lines(active: active, cloudInit: 0, now: active, scriptFails: false)
            .split(separator: "\n").dropLast().map { $0 + "\n" }.joined()
        var bytes = Array(log.utf8) + console
        if !console.isEmpty && console.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        guard let exitStatus else { return bytes }
        log = ""
        if exitStatus != 0 {
            log += "[   10.011342] cloud-init[750]: \(consoleTime(now())) - subp.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 [\(exitStatus)]\n"
            log += "[   10.012001] cloud-init[750]: \(consoleTime(now())) - cc_scripts_user.py[WARNING]: Failed to run module scripts_user (scripts in /var/lib/cloud/instance/scripts)\n"
        }
        log += "[   10.113230] cloud-init[750]: \(version) finished at \(consoleTime(now())). Datasource DataSourceNoCloud.  Up 10.10 seconds\n"
        return bytes + Array(log.utf8)
    }

    /// As cloud-init writes its times: Thu, 04 Dec 2026 10:00:10 +0000.
    private static func consoleTime(_ seconds: Double) -> String {
        timestamp(seconds, format: "%a, %d %b %Y %H:%M:%S +0000")
    }
}
