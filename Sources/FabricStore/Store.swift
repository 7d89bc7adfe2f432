import FabricRecords

/// The state store: providers, machines, snapshots and the null provider's cloud, in a SQLite
/// file (the embedded default) or a database on a MySQL/MariaDB server shared by a team's admin
/// hosts. Either is shared safely by every tool of a pipeline and by concurrent pipelines; the
/// SQL goes through `Database`, and what each backend spells its own way through its dialect.
public final class Store {
    public let database: any Database

    /// `.existing`: a database without fabric's schema (an empty file, a database made by
    /// hand) is no store yet, and reading it does not make one.
    public init(database: any Database, access: StoreAccess = .creating) throws(FabricError) {
        self.database = database
        try migrate(access)
    }

    /// The store that --store, --store-password-file and the environment name. Only a command
    /// that writes passes `.creating`; one that reads reports a missing store and makes none.
    public convenience init(_ options: some StoreSelection, access: StoreAccess = .existing) throws(FabricError) {
        try self.init(database: StoreLocation.open(options, access: access), access: access)
    }

    public var location: String { database.location }

    private func migrate(_ access: StoreAccess) throws(FabricError) {
        let current = try database.schemaVersion()
        if current == 0, access == .existing { throw StoreLocation.missing(location) }
        guard current < Schema.version else {
            if current > Schema.version {
                throw FabricError.store("store \(quoted(location)) has schema version \(current), newer than this fabric (\(Schema.version))",
                                        hint: "upgrade fabric")
            }
            return
        }
        let dialect = database.dialect
        try database.migrate(Schema.migrations.map { $0.flatMap(dialect.statements(for:)) })
    }

    // MARK: providers

    /// ProviderError when a provider of this id is registered already.
    public func requireNewProvider(_ id: String) throws(FabricError) {
        if try database.rows("SELECT 1 FROM providers WHERE provider_id = ?", [.text(id)]).count > 0 {
            throw FabricError.provider("provider \(quoted(id)) already exists", hint: "see: fabric provider list")
        }
    }

    public func addProvider(_ provider: ProviderRecord) throws(FabricError) {
        try database.transaction { () throws(FabricError) in
            try requireNewProvider(provider.id)
            // A token or catalogue cached for an earlier provider of this id is not this one's.
            try database.run("DELETE FROM tokens WHERE provider_id = ?", [.text(provider.id)])
            try database.run("DELETE FROM catalogs WHERE provider_id = ?", [.text(provider.id)])
            let extra = JSON.object()
            for (key, value) in provider.extra { extra[key] = JSON(value) }
            try database.run("""
                INSERT INTO providers (provider_id, type, username, password, url, tenant, default_image,
                                       default_flavor, extra, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(provider.id), .integer(provider.type.index), .text(provider.username),
                      .text(provider.password), .text(provider.url), .text(provider.tenant),
                      provider.defaultImage.map(SQLValue.text), provider.defaultFlavor.map(SQLValue.text),
                      .text(extra.encoded()), .text(provider.created)])
        }
    }

    private static let providerColumns = """
        provider_id, type, username, password, url, tenant, default_image, default_flavor, extra, created
        """

    private func provider(from row: Row) throws(FabricError) -> ProviderRecord {
        guard let type = ProviderType(index: row.integer(1) ?? -1) else {
            throw FabricError.store("provider \(quoted(row.text(0) ?? "")) has unknown type \(row.integer(1) ?? -1)")
        }
        var extra: [(key: String, value: String)] = []
        if let text = row.text(8), let object = try? JSON.parse(text) {
            extra = object.fields.map { ($0.key, $0.value.scalarText ?? "") }
        }
        return ProviderRecord(id: row.text(0)!, type: type, username: row.text(2) ?? "", password: row.text(3) ?? "",
                              url: row.text(4) ?? "", tenant: row.text(5) ?? "", defaultImage: row.text(6),
                              defaultFlavor: row.text(7), extra: extra, created: row.text(9) ?? "")
    }

    /// The provider, or ProviderError naming it when it is not registered.
    public func provider(_ id: String) throws(FabricError) -> ProviderRecord {
        let rows = try database.rows("SELECT \(Store.providerColumns) FROM providers WHERE provider_id = ?", [.text(id)])
        guard let row = rows.first else {
            throw FabricError.provider("provider \(quoted(id)) does not exist", hint: "see: fabric provider list")
        }
        return try provider(from: row)
    }

    public func providers() throws(FabricError) -> [ProviderRecord] {
        var result: [ProviderRecord] = []
        for row in try database.rows("SELECT \(Store.providerColumns) FROM providers ORDER BY provider_id") {
            result.append(try provider(from: row))
        }
        return result
    }

    /// Removes a provider; refuses while machines still refer to it (spec: ProviderError).
    public func removeProvider(_ id: String) throws(FabricError) -> ProviderRecord {
        try database.transaction { () throws(FabricError) in
            let record = try provider(id)
            let machines = try database.rows("SELECT count(*) FROM machines WHERE provider_id = ?", [.text(id)])
                .first?.integer(0) ?? 0
            if machines > 0 {
                throw FabricError.provider("provider \(quoted(id)) still has \(machines) machine\(machines == 1 ? "" : "s")",
                                           hint: "see: fabric machine list \(id)")
            }
            try database.run("DELETE FROM snapshots WHERE provider_id = ?", [.text(id)])
            try database.run("DELETE FROM tokens WHERE provider_id = ?", [.text(id)])
            try database.run("DELETE FROM machine_groups WHERE provider_id = ?", [.text(id)])
            try database.run("DELETE FROM catalogs WHERE provider_id = ?", [.text(id)])
            try database.run("DELETE FROM providers WHERE provider_id = ?", [.text(id)])
            return record
        }
    }

    // MARK: machines

    public func addMachines(_ rows: [MachineRow]) throws(FabricError) {
        guard !rows.isEmpty else { return }
        try database.transaction { () throws(FabricError) in
            // One SELECT per provider, not per record: 100,000 records name one or two providers.
            for provider in Set(rows.map(\.providerID)).sorted() { try requireProvider(provider) }
            let now = timestamp()
            try insertInBatches(count: rows.count, { (count) in
                database.dialect.upsert(
                    into: "machines", columns: ["machine_uuid", "provider_id", "av_zone", "addresses", "status", "group_id", "created", "record"],
                    rows: count, key: ["provider_id", "machine_uuid"], update: ["av_zone", "addresses", "status", "group_id", "record"])
            }) { (range, values) in
                for row in rows[range] {
                    values += [.text(row.uuid), .text(row.providerID), row.avZone.map(SQLValue.text), .text(row.addresses),
                               row.status.map(SQLValue.text), row.group.map(SQLValue.text), .text(row.created ?? now), .text(row.text)]
                }
            }
        }
    }

    /// Inserts `count` rows, `batch` to a statement: to a server that is one round trip per 100
    /// rows rather than per row (Tests/Benchmarks/run throughput gives the figures).
    /// `sql(n)` is the statement for n rows, `values` appends the values of the rows in a range.
    func insertInBatches(count: Int, batch: Int = 100, _ sql: (Int) -> String,
                         values: (Range<Int>, inout [SQLValue?]) -> Void) throws(FabricError) {
        var full: (any Statement)?
        for start in stride(from: 0, to: count, by: batch) {
            let range = start..<min(start + batch, count)
            let statement: any Statement
            if range.count == batch, let full {
                statement = full
            } else {
                statement = try database.prepare(sql(range.count))
                if range.count == batch { full = statement }
            }
            var bound: [SQLValue?] = []
            bound.reserveCapacity(range.count * 8)
            values(range, &bound)
            try statement.bind(bound)
            while try statement.step() {}
        }
    }

    func requireProvider(_ id: String) throws(FabricError) {
        if try database.rows("SELECT 1 FROM providers WHERE provider_id = ?", [.text(id)]).isEmpty {
            throw FabricError.provider("provider \(quoted(id)) does not exist", hint: "see: fabric provider list")
        }
    }

    public struct MachineFilter {
        public var providerID: String?
        public var uuid: String?
        public var group: String?
        public var status: String?
        /// One create call's machines within the group (records' `batch`, not a column).
        public var batch: String?
        public init(providerID: String? = nil, uuid: String? = nil, group: String? = nil, status: String? = nil, batch: String? = nil) {
            self.providerID = providerID
            self.uuid = uuid
            self.group = group
            self.status = status
            self.batch = batch
        }
    }

    /// Machine records in creation order, streamed to `body` so 100,000 rows never sit in memory.
    public func machines(_ filter: MachineFilter, _ body: (JSON) throws(FabricError) -> Void) throws(FabricError) {
        try machineTexts(filter) { (text) throws(FabricError) in
            let record: JSON
            switch JSON.decode(text) {
            case .success(let value): record = value
            case .failure(let error): throw FabricError.store("machine row holds invalid JSON: \(error.reason)")
            }
            if let batch = filter.batch, record["batch"]?.string != batch { return }
            try body(record)
        }
    }

    /// The stored text of each machine record, in creation order: compact JSON as this store
    /// wrote it, so a listing can print it as is. Parsing and re-encoding each row was 1 s of
    /// `fabric-store list` for 100,000 machines (Tests/Benchmarks/run list).
    public func machineTexts(_ filter: MachineFilter, _ body: (UnsafeRawBufferPointer) throws(FabricError) -> Void) throws(FabricError) {
        var clauses: [String] = []
        var values: [SQLValue?] = []
        for (column, value) in [("provider_id", filter.providerID), ("machine_uuid", filter.uuid),
                                ("group_id", filter.group), ("status", filter.status)] {
            if let value {
                clauses.append("\(column) = ?")
                values.append(.text(value))
            }
        }
        let sql = "SELECT record FROM machines" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
            + " ORDER BY created, \(database.dialect.insertionOrder)"
        let statement = try database.prepare(sql)
        try statement.bind(values)
        while try statement.step() {
            guard let text = statement.textBytes(0) else { continue }
            try body(text)
        }
    }

    public func machine(provider: String, uuid: String) throws(FabricError) -> JSON? {
        var found: JSON?
        try machines(MachineFilter(providerID: provider, uuid: uuid)) { found = $0 }
        return found
    }

    /// Removes machines and their snapshots' rows; returns how many machine rows went.
    @discardableResult
    public func removeMachines(_ keys: [(provider: String, uuid: String)]) throws(FabricError) -> Int {
        try database.transaction { () throws(FabricError) in
            var removed = 0
            for key in keys {
                removed += try database.run("DELETE FROM machines WHERE provider_id = ? AND machine_uuid = ?",
                                            [.text(key.provider), .text(key.uuid)])
                try database.run("DELETE FROM snapshots WHERE provider_id = ? AND machine_uuid = ?",
                                 [.text(key.provider), .text(key.uuid)])
            }
            return removed
        }
    }

    // MARK: snapshots

    public func addSnapshots(_ records: [JSON]) throws(FabricError) {
        guard !records.isEmpty else { return }
        let upsert = database.dialect.upsert(
            into: "snapshots", columns: ["snapshot_id", "provider_id", "machine_uuid", "name", "status", "created", "record"],
            rows: 1, key: ["provider_id", "snapshot_id"], update: ["status", "name", "record"])
        try database.transaction { () throws(FabricError) in
            for record in records {
                let id = try record.requiredString("id", in: "snapshot record")
                let providerID = try record.requiredString("provider_id", in: "snapshot record")
                let machine = try record.requiredString("machine_uuid", in: "snapshot record")
                try requireProvider(providerID)
                try database.run(upsert, [.text(id), .text(providerID), .text(machine), record["name"]?.string.map(SQLValue.text),
                          record["status"]?.string.map(SQLValue.text),
                          .text(record["created"]?.string ?? timestamp()), .text(record.encoded())])
            }
        }
    }

    public func snapshots(provider: String?, machine: String?) throws(FabricError) -> [JSON] {
        var clauses: [String] = []
        var values: [SQLValue?] = []
        if let provider { clauses.append("provider_id = ?"); values.append(.text(provider)) }
        if let machine { clauses.append("machine_uuid = ?"); values.append(.text(machine)) }
        let sql = "SELECT record FROM snapshots" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
            + " ORDER BY created, \(database.dialect.insertionOrder)"
        var result: [JSON] = []
        for row in try database.rows(sql, values) {
            if let text = row.text(0), let record = try? JSON.parse(text) { result.append(record) }
        }
        return result
    }

    @discardableResult
    public func removeSnapshots(_ keys: [(provider: String, id: String)]) throws(FabricError) -> Int {
        try database.transaction { () throws(FabricError) in
            var removed = 0
            for key in keys {
                removed += try database.run("DELETE FROM snapshots WHERE provider_id = ? AND snapshot_id = ?",
                                            [.text(key.provider), .text(key.id)])
            }
            return removed
        }
    }
}
