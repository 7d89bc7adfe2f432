import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore

struct StoreTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-store",
        abstract: "The state store: record, list and remove providers, machines and snapshots.",
        discussion: """
            One SQLite file (--store, then $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db), \
            or a team's shared database on a MySQL or MariaDB server \
            (mysql://USER@HOST[:PORT]/DATABASE; several hosts, HOST[:PORT],HOST[:PORT], name the \
            nodes of a replicated one such as a Galera cluster, tried in order), shared safely by \
            concurrent commands. It holds \
            provider passwords: a SQLite file is created 0600 in a 0700 directory, and no record \
            or listing ever shows a password.
            """,
        version: fabricVersionLine,
        subcommands: [Register.self, Add.self, List.self, Get.self, Remove.self, Export.self, Import.self, Path.self, Check.self,
                      Group.self, Protect.self, Lock.self])
}

enum Kind: String, ExpressibleByArgument, CaseIterable {
    case machine, machines, provider, providers, snapshot, snapshots

    /// Singular and plural name the same table.
    var table: Kind {
        switch self {
        case .machine, .machines: .machine
        case .provider, .providers: .provider
        case .snapshot, .snapshots: .snapshot
        }
    }

    /// The rule an id of this kind follows.
    var identifier: Identifier {
        switch table {
        case .provider: .provider
        case .snapshot: .snapshot
        default: .machine
        }
    }
}

/// Where a provider's password comes from: never from argv of this process.
struct PasswordOptions: ParsableArguments {
    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        "Read a provider's password from this file (its first line); /dev/fd/N works. Default: $FABRIC_PASSWORD.",
        valueName: "file"), completion: .file())
    var passwordFile: String?

    func password() throws(FabricError) -> String {
        if let passwordFile { return try readFirstLine(passwordFile) }
        if let password = environment("FABRIC_PASSWORD") { return password }
        throw FabricError.usage("a provider needs a password: give --password-file FILE or set FABRIC_PASSWORD")
    }
}

extension StoreTool {
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a provider (spec: provider register) and print its record.",
            discussion: "Fails with ProviderError if the id exists. The password is never printed.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        @Argument(help: ArgumentHelp("The provider's id, unique in the store.", valueName: "id"))
        var id: String

        @Option(help: ArgumentHelp(ProviderType.spellings + ".", valueName: "type"),
                completion: .list(ProviderType.allSpellings))
        var type: String = ProviderType.defaultType.name

        @Option(help: ArgumentHelp("The user to access the provider as.", valueName: "name"))
        var username: String?

        @Option(help: ArgumentHelp("The provider's access point, e.g. http://keystone:5000/v3; - for the type's default (AMAZON: the region's endpoint).",
                                   valueName: "url"))
        var url: String?

        @Option(help: ArgumentHelp("The tenant (project) that owns the resources.", valueName: "name"))
        var tenant: String?

        @Flag(name: .customLong("from-env"), help: ArgumentHelp(
            "Take the url, user, password, tenant and settings from the variables the cloud's own tools use: OS_* of a sourced openrc file (OPENSTACK), the AWS CLI's AWS_* (AMAZON). --extra settings given win."))
        var fromEnvironment = false

        @Option(name: .customLong("default-image"), help: ArgumentHelp("Image name or id used when no --image is given.", valueName: "name"))
        var defaultImage: String?

        @Option(name: .customLong("default-flavor"), help: ArgumentHelp("Flavor name or id used when no --flavor is given.", valueName: "name"))
        var defaultFlavor: String?

        @Option(help: ArgumentHelp("A provider-type setting, as key=value; may be repeated.", valueName: "key=value"))
        var extra: [String] = []

        @Flag(help: "Check the provider and that its id is free; register nothing and print nothing.")
        var check = false

        func validate() throws {
            try Identifier.provider.check(id)
        }

        func run() throws {
            guard let type = ProviderType(name: type) else {
                throw FabricError.provider("unknown provider type \(quoted(self.type))", hint: "use \(ProviderType.spellings)")
            }
            let provider = try record(of: type)
            try provider.validate()
            let store = try Store(storeOptions, access: .creating)
            if check { return try store.requireNewProvider(provider.id) }
            try store.addProvider(provider)
            RecordWriter.standardOutput.write(provider.json())
        }

        /// The record to register: from the options, or with --from-env from the environment.
        private func record(of type: ProviderType) throws(FabricError) -> ProviderRecord {
            let extra = try parseKeyValues(extra, option: "--extra")
            if fromEnvironment {
                if let given = [("--username", username), ("--url", url), ("--tenant", tenant), ("--password-file", passwordOptions.passwordFile)]
                    .first(where: { $0.1 != nil }) {
                    throw FabricError.usage("--from-env takes the account from the environment; drop \(given.0)")
                }
                let account = try type.importAccount(extra: extra)
                return ProviderRecord(id: id, type: type, username: account.username, password: account.password,
                                      url: type.registeredURL(account.url, tenant: account.tenant), tenant: account.tenant,
                                      defaultImage: defaultImage, defaultFlavor: defaultFlavor, extra: account.extra)
            }
            guard let username, let url, let tenant else {
                let missing = [("--username", username), ("--url", url), ("--tenant", tenant)].filter { $0.1 == nil }.map(\.0)
                throw FabricError.usage("a provider needs \(missing.joined(separator: ", ")), or --from-env")
            }
            return ProviderRecord(id: id, type: type, username: username, password: try passwordOptions.password(),
                                  url: type.registeredURL(url, tenant: tenant), tenant: tenant,
                                  defaultImage: defaultImage, defaultFlavor: defaultFlavor, extra: extra)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record machine, snapshot and provider records read from standard input, and pass them on.",
            discussion: """
                The whole input is read and checked, then stored, then written on unchanged, so \
                `fabric-store add` can sit in the middle of a pipeline. A machine or snapshot \
                already stored is updated. A provider record needs a password from \
                --password-file or $FABRIC_PASSWORD, and adding a provider that exists is a \
                ProviderError.
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        func run() throws {
            // Ctrl-C reaches every tool of a pipeline at once: the tools upstream pass on the
            // records of the machines they had (stopped where they were) and end, and this one
            // stores them all before it reports the interrupt, so no machine the cloud made is
            // lost between the tools. Typed at a terminal, Ctrl-C stops it at once, as usual.
            if !isTerminal(0) { Interruption.install() }
            let store = try Store(storeOptions, access: .creating)
            var reader = RecordReader()
            // Not streamed: the whole input is read and checked before anything is stored, so
            // a malformed record anywhere changes nothing. Upstream waits (fabric-wait) finish
            // first in every pipeline fabric runs, so nothing is held back that could go sooner.
            // Machines wait as MachineRows (their stored text), not as parsed records.
            var machines: [MachineRow] = []
            var snapshots: [JSON] = []
            var providers: [ProviderRecord] = []
            var passOn: [PassOn] = []
            try reader.readAll { (record) throws(FabricError) in
                switch try RecordKind(of: record) {
                case .machine:
                    machines.append(try MachineRow(record))
                    passOn.append(.machine(machines.count - 1))
                case .snapshot:
                    try SnapshotRow.check(record)
                    snapshots.append(record)
                    passOn.append(.snapshot(snapshots.count - 1))
                case .provider:
                    let provider = try ProviderRecord(record: record, password: try passwordOptions.password())
                    try provider.validate()
                    providers.append(provider)
                    passOn.append(.provider(providers.count - 1))
                case .image, .flavor:
                    throw FabricError.input("fabric-store keeps machines, snapshots and providers, not \(abbreviated(record))")
                }
            }
            let stored = Set(try store.providers().map(\.id))
            var known = stored
            for provider in providers where !known.insert(provider.id).inserted {
                throw FabricError.provider("provider \(quoted(provider.id)) already exists", hint: "see: fabric provider list")
            }
            for id in machines.map(\.providerID) + snapshots.map({ $0["provider_id"]?.string ?? "" }) where !known.contains(id) {
                throw FabricError.provider("provider \(quoted(id)) does not exist", hint: "see: fabric provider list")
            }
            for provider in providers { try store.addProvider(provider) }
            try store.addMachines(machines)
            try store.addSnapshots(snapshots)
            for item in passOn {
                switch item {
                case .machine(let index): RecordWriter.standardOutput.write(line: machines[index].text)
                case .snapshot(let index): RecordWriter.standardOutput.write(snapshots[index])
                // A provider record is passed on as stored, without its password.
                case .provider(let index): RecordWriter.standardOutput.write(providers[index].json())
                }
            }
            try Interruption.check()
        }

        /// Which record goes out next, in input order.
        private enum PassOn {
            case machine(Int), snapshot(Int), provider(Int)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the stored machines, providers or snapshots.",
            discussion: "Machines and snapshots come in creation order, providers by id.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var providerOptions: ProviderOptions

        @Argument(help: ArgumentHelp("machines, providers or snapshots.", valueName: "kind"))
        var kind: Kind

        @Option(help: ArgumentHelp("Machines: only this UUID.", valueName: "uuid"))
        var uuid: String?

        @Option(help: ArgumentHelp("Machines: only this group.", valueName: "id"))
        var group: String?

        @Option(help: ArgumentHelp("Machines: only those of this create call (fabric-boot --batch).", valueName: "id"))
        var batch: String?

        @Option(help: ArgumentHelp("Machines and snapshots: only this status.", valueName: "status"))
        var status: String?

        @Option(help: ArgumentHelp("Snapshots: only those of this machine.", valueName: "uuid"))
        var machine: String?

        /// Each filter and the kinds it applies to: one given for another kind is an error,
        /// not silently ignored (it would list more than the user asked for).
        func validate() throws {
            let filters: [(option: String, given: Bool, kinds: Set<Kind>)] = [
                ("--uuid", uuid != nil, [.machine]),
                ("--group", group != nil, [.machine]),
                ("--batch", batch != nil, [.machine]),
                ("--status", status != nil, [.machine, .snapshot]),
                ("--machine", machine != nil, [.snapshot]),
            ]
            for filter in filters where filter.given && !filter.kinds.contains(kind.table) {
                let kinds = filter.kinds.map { "\($0.rawValue)s" }.sorted().joined(separator: " and ")
                throw FabricError.usage("\(filter.option) filters \(kinds), not \(kind.table.rawValue)s")
            }
            if let uuid { try Identifier.machine.check(uuid) }
            if let machine { try Identifier.machine.check(machine) }
            if let group { try Identifier.group.check(group) }
            if let batch { try Identifier.group.check(batch) }
        }

        func run() throws {
            let store = try Store(storeOptions)
            let out = RecordWriter.standardOutput
            switch kind.table {
            case .provider:
                for provider in try store.providers() where providerOptions.provider.map({ $0 == provider.id }) ?? true {
                    out.write(provider.json())
                }
            case .machine:
                let filter = Store.MachineFilter(providerID: providerOptions.provider, uuid: uuid, group: group, status: status, batch: batch)
                if batch != nil { try store.machines(filter) { out.write($0) } } else { try store.machineTexts(filter) { out.write(text: $0) } }
            default:
                for snapshot in try store.snapshots(provider: providerOptions.provider, machine: machine)
                    where status.map({ snapshot["status"]?.string == $0 }) ?? true {
                    out.write(snapshot)
                }
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one stored record, or fail if it is not there.",
            discussion: "`get provider ID`, `get machine -p ID UUID`, `get snapshot -p ID SNAPSHOT-ID`.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var providerOptions: ProviderOptions

        @Argument(help: ArgumentHelp("machine, provider or snapshot.", valueName: "kind"))
        var kind: Kind

        @Argument(help: ArgumentHelp("The provider id, machine UUID or snapshot id.", valueName: "id"))
        var id: String

        func validate() throws {
            try kind.identifier.check(id)
        }

        func run() throws {
            let store = try Store(storeOptions)
            switch kind.table {
            case .provider:
                RecordWriter.standardOutput.write(try store.provider(id).json())
            case .machine:
                RecordWriter.standardOutput.write(try StoredLookup(store, providerOptions, kind, "get").machine(id))
            default:
                RecordWriter.standardOutput.write(try StoredLookup(store, providerOptions, kind, "get").snapshot(id))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove records: those read from standard input, or those named.",
            discussion: """
                Without a kind, removes each machine, snapshot or provider record read from \
                standard input and passes it on (a record already gone is passed on too). With \
                a kind: `remove provider ID` (refused while the provider has machines), \
                `remove machine -p ID UUID...` or `remove machine -p ID --group G [--batch B]`, \
                `remove snapshot -p ID SNAPSHOT-ID...`. Removing a machine removes its \
                snapshots' rows.
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var providerOptions: ProviderOptions

        @Argument(help: ArgumentHelp("machine, provider or snapshot; omit to read records.", valueName: "kind"))
        var kind: Kind?

        @Argument(help: ArgumentHelp("What to remove: provider id, machine UUIDs or snapshot ids.", valueName: "id"))
        var ids: [String] = []

        @Option(help: ArgumentHelp("Machines: remove every machine of this group.", valueName: "id"))
        var group: String?

        @Option(help: ArgumentHelp("Machines: with --group, only those of this create call (fabric-boot --batch).", valueName: "id"))
        var batch: String?

        func validate() throws {
            if let kind { for id in ids { try kind.identifier.check(id) } }
            if let group { try Identifier.group.check(group) }
            if let batch { try Identifier.group.check(batch) }
        }

        func run() throws {
            let store = try Store(storeOptions)
            guard let kind else {
                if !ids.isEmpty || group != nil { throw FabricError.usage("ids and --group need a kind (machine, provider or snapshot)") }
                return try removeRecords(store)
            }
            switch kind.table {
            case .provider:
                guard ids.count == 1 else { throw FabricError.usage("remove provider takes exactly one provider id") }
                RecordWriter.standardOutput.write(try store.removeProvider(ids[0]).json())
            case .machine:
                if ids.isEmpty && group == nil { throw FabricError.usage("remove machine needs UUIDs or --group") }
                if batch != nil && group == nil { throw FabricError.usage("--batch goes with --group") }
                let lookup = try StoredLookup(store, providerOptions, kind, "remove")
                var records: [JSON] = []
                if let group { try store.machines(.init(providerID: lookup.provider, group: group, batch: batch)) { records.append($0) } }
                for id in ids { records.append(try lookup.machine(id)) }
                try store.removeMachines(records.map { (lookup.provider, $0["uuid"]?.string ?? "") })
                for record in records { RecordWriter.standardOutput.write(record) }
            default:
                if ids.isEmpty { throw FabricError.usage("remove snapshot needs snapshot ids") }
                let lookup = try StoredLookup(store, providerOptions, kind, "remove")
                let records = try ids.map { (id) throws(FabricError) in try lookup.snapshot(id) }
                try store.removeSnapshots(ids.map { (lookup.provider, $0) })
                for record in records { RecordWriter.standardOutput.write(record) }
            }
        }

        /// Reads and checks every record before removing any, so bad input removes nothing.
        func removeRecords(_ store: Store) throws(FabricError) {
            var reader = RecordReader()
            let records = try reader.readAll()
            var machines: [(provider: String, uuid: String)] = []
            var snapshots: [(provider: String, id: String)] = []
            var providers: [String] = []
            for record in records {
                switch try RecordKind(of: record) {
                case .machine:
                    machines.append((try record.requiredString("provider_id", in: "machine record"),
                                     try record.requiredString("uuid", in: "machine record")))
                case .snapshot:
                    snapshots.append((try record.requiredString("provider_id", in: "snapshot record"),
                                      try record.requiredString("id", in: "snapshot record")))
                case .provider:
                    providers.append(try record.requiredString("provider_id", in: "provider record"))
                case .image, .flavor:
                    throw FabricError.input("fabric-store keeps machines, snapshots and providers, not \(abbreviated(record))")
                }
            }
            try store.removeMachines(machines)
            try store.removeSnapshots(snapshots)
            for provider in providers { _ = try store.removeProvider(provider) }
            for record in records { RecordWriter.standardOutput.write(record) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every row the store holds as JSON lines, to move it with import.",
            discussion: """
                A header line, then one {"kind":"store_row","table":...,"row":{...}} line per row: \
                providers, machines, snapshots and the null provider's cloud, from one snapshot \
                of the store. Providers' passwords are left out unless --with-secrets is given; \
                import refuses a provider without one, so moving a store needs --with-secrets.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Flag(name: .customLong("with-secrets"), help: ArgumentHelp("Include providers' passwords (keep the output private)."))
        var withSecrets = false

        func run() throws {
            let store = try Store(storeOptions)
            try store.export(withSecrets: withSecrets) { RecordWriter.standardOutput.write($0) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the rows of an export read from standard input, into an empty store.",
            discussion: """
                The whole export is read and checked first, then stored in one transaction: a \
                malformed row, another schema version, a provider without its password or a \
                store that already holds rows changes nothing. Prints one \
                {"kind":"store_import","table":...,"rows":N} line per table.
                """)

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try Store(storeOptions, access: .creating)
            var reader = RecordReader()
            let imported = try Store.readExport { () throws(FabricError) in try reader.next() }
            try store.importRows(imported)
            for (table, rows) in imported.tables {
                let summary = JSON.object()
                summary["kind"] = JSON("store_import")
                summary["table"] = JSON(table.name)
                summary["rows"] = JSON(rows.count)
                RecordWriter.standardOutput.write(summary)
            }
        }
    }

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the path (or mysql:// URL) of the store that would be used.")

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            RecordWriter.standardOutput.write(line: try StoreLocation.describe(storeOptions))
        }
    }
}

extension StoreTool {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one record saying whether the store can be used, and for a mysql:// store which host answers.",
            discussion: """
                A mysql:// store: each host of the URL (answers, error, version; on a Galera \
                node wsrep_cluster_size, wsrep_cluster_status, wsrep_local_state_comment and \
                wsrep_ready), the host commands use (the first that answers and is ready), the \
                schema version and healthy. A SQLite store: the path, SQLite's version and \
                PRAGMA quick_check. Nothing is created or changed. Exits 4 (StoreError) when \
                the store cannot be used, after printing the record.
                """)

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let check = try StoreCheck.run(storeOptions)
            RecordWriter.standardOutput.write(check.record)
            if let problem = check.problem { throw problem }
        }
    }
}

/// One stored machine or snapshot of the provider given with -p, for `get` and `remove`,
/// with the same errors for both: no -p, unknown provider, record not in the store.
struct StoredLookup {
    let store: Store
    let provider: String
    private let snapshots: [JSON]

    init(_ store: Store, _ options: ProviderOptions, _ kind: Kind, _ verb: String) throws(FabricError) {
        guard let provider = options.provider else { throw FabricError.usage("\(verb) \(kind.table.rawValue) needs -p ID") }
        _ = try store.provider(provider)
        self.store = store
        self.provider = provider
        snapshots = kind.table == .snapshot ? try store.snapshots(provider: provider, machine: nil) : []
    }

    func machine(_ uuid: String) throws(FabricError) -> JSON {
        guard let record = try store.machine(provider: provider, uuid: uuid) else {
            throw FabricError.machine("machine \(quoted(uuid)) is not in the store for provider \(quoted(provider))",
                                      hint: "see: fabric machine list \(provider)")
        }
        return record
    }

    func snapshot(_ id: String) throws(FabricError) -> JSON {
        guard let record = snapshots.first(where: { $0["id"]?.string == id }) else {
            throw FabricError.snapshot("snapshot \(quoted(id)) is not in the store for provider \(quoted(provider))")
        }
        return record
    }
}
