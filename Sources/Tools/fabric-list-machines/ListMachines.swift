import ArgumentParser
import FabricCLI
import FabricProviders
import FabricRecords
import FabricStore

struct ListMachines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-list-machines",
        abstract: "List the machines fabric made, straight from the provider.",
        discussion: """
            Asks the provider (not the store) for every machine carrying fabric's group tag and \
            prints a machine record for each that passes every filter. --where compares any \
            top-level record field (uuid, name, status, av_zone, group, ...); --meta compares \
            machine metadata. Both take key=value and the equal operator. With --refresh it \
            reads machine records instead (fabric-store list machines) and prints each with \
            the provider's view now, asking each provider once for all of its machines; a \
            machine the provider no longer has gets status GONE. With --mysql-user, each \
            machine's role is read from its own server and added to its record: role (primary, \
            replica, galera or unknown), lag (a replica's seconds behind) or galera_state.
            """,
        version: fabricVersionLine)

    @OptionGroup var providerOptions: ProviderOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep machines whose field equals the value.", valueName: "key=value"))
    var fields: [String] = []

    @Option(help: ArgumentHelp("Keep machines whose metadata key equals the value.", valueName: "key=value"))
    var meta: [String] = []

    @Option(help: ArgumentHelp("Keep the machines of one group (fabric-boot --group).", valueName: "id"))
    var group: String?

    func validate() throws {
        if let group { try Identifier.group.check(group) }
    }

    @Flag(help: "Read machine records and print each with the provider's view now (GONE when it has none).")
    var refresh = false

    @OptionGroup(title: "MySQL login (adds each machine's role)") var mysql: MySQLLoginOptions

    @Option(name: .customLong("mysql-port"), help: ArgumentHelp("The port of the machines' MySQL (default 3306).", valueName: "port"))
    var mysqlPort: Int = ReadyStage.mysqlDefaultPort

    @Option(help: ArgumentHelp("Which address roles are read at: auto, public or private.", valueName: "kind"),
            completion: .list(AddressChoice.allCases.map(\.rawValue)))
    var address: String = AddressChoice.automatic.rawValue

    /// Reads the roles of the machines listed, when a login is given.
    private func roles() throws(FabricError) -> MemberRoles? {
        guard AddressChoice(rawValue: address) != nil else { throw FabricError.usage("--address must be auto, public or private, not \(quoted(address))") }
        guard (1...65535).contains(mysqlPort) else { throw FabricError.usage("--mysql-port must be from 1 to 65535") }
        return try mysql.login(readingPassword: true, timeout: 2).map { MemberRoles(login: $0, port: mysqlPort, address: AddressChoice(rawValue: address)!) }
    }

    /// Adds each live machine's role to its record (unknown when its server does not answer).
    private static func describeRoles(_ listed: [(machine: Machine, record: JSON)], roles: MemberRoles?, provider: any Provider) {
        guard let roles else { return }
        let read = roles.read(listed.map(\.machine), provider: provider)
        for (machine, record) in listed where !machine.isGone {
            if let found = read[machine.uuid] { found.member.describe(into: record) } else { record["role"] = JSON(MySQLMember.Role.unknown.rawValue) }
        }
    }

    func run() throws {
        if refresh { return try refreshRecords() }
        guard let id = providerOptions.provider else { throw FabricError.usage("-p ID is required") }
        var fieldFilters = try parseKeyValues(fields, option: "--where")
        if let group { fieldFilters.append(("group", group)) }
        let metaFilters = try parseKeyValues(meta, option: "--meta")
        let context = ToolContext(store: storeOptions)
        let roles = try roles()
        let provider = try context.provider(id)
        var listed: [(machine: Machine, record: JSON)] = []
        for machine in try provider.listMachines() {
            let record = machine.json()
            let fieldsMatch = fieldFilters.allSatisfy { record[$0.key]?.scalarText == $0.value }
            let metaMatch = metaFilters.allSatisfy { filter in machine.metadata.contains { $0 == filter } }
            if fieldsMatch && metaMatch { listed.append((machine, record)) }
        }
        Self.describeRoles(listed, roles: roles, provider: provider)
        for (_, record) in listed { RecordWriter.standardOutput.write(record) }
    }

    /// The status of a machine the provider no longer has: shown, not dropped, so a listing
    /// tells what was lost (`fabric machine destroy --force` removes its row).
    static let gone = "GONE"

    private func refreshRecords() throws {
        if !fields.isEmpty || !meta.isEmpty || group != nil { throw FabricError.usage("--refresh takes no filters: filter what it reads") }
        let roles = try roles()
        var reader = RecordReader()
        let records = try reader.readAll()
        let context = ToolContext(store: storeOptions)
        // Each record's provider and uuid, read once; each provider asked once for all of its own.
        var keyed: [(provider: String, uuid: String, record: JSON)] = []
        var uuidsByProvider: [String: [String]] = [:]
        for record in records {
            guard try RecordKind(of: record) == .machine else {
                throw FabricError.input("--refresh takes machine records, not \(abbreviated(record))")
            }
            let provider = try context.providerID(for: record, option: providerOptions.provider)
            let uuid = try record.requiredString("uuid", in: "machine record")
            keyed.append((provider, uuid, record))
            uuidsByProvider[provider, default: []].append(uuid)
        }
        var now: [String: [String: Machine]] = [:]
        for (provider, uuids) in uuidsByProvider.sorted(by: { $0.key < $1.key }) {
            now[provider] = Dictionary(try context.provider(provider).machines(uuids).map { ($0.uuid, $0) },
                                       uniquingKeysWith: { first, _ in first })
        }
        for (provider, uuid, record) in keyed {
            if let machine = now[provider]?[uuid], !machine.isGone {
                machine.merge(into: record)
            } else {
                record["status"] = JSON(Self.gone)
            }
        }
        for (provider, machines) in now.sorted(by: { $0.key < $1.key }) {
            let listed = keyed.filter { $0.provider == provider }.compactMap { entry in machines[entry.uuid].map { ($0, entry.record) } }
            Self.describeRoles(listed, roles: roles, provider: try context.provider(provider))
        }
        for (_, _, record) in keyed { RecordWriter.standardOutput.write(record) }
    }
}
