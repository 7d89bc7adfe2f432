import FabricRecords

/// The store's schema as data, one list of steps per version, shared by every backend: each
/// backend's SQLDialect turns a step into its own DDL (types, keys, engine, character set), so a
/// table is declared once and is the same on SQLite and MySQL. A store is brought up to the
/// newest version when it is opened; the backend records how far it has come (SQLite's
/// `PRAGMA user_version`, MySQL's `fabric_schema` table).
///
/// To change the schema, append a migration; never edit one that has shipped. A new table is one
/// entry, e.g. `[.createTable(Table("tokens", [Column("provider_id", .string(256)), ...],
/// primaryKey: ["provider_id"], exported: false))]`: both backends create it, export and import
/// carry it (or leave it out, for a cache), and nothing else needs to know.
public enum Schema {
    public enum ColumnType: Equatable {
        /// Text of at most this many characters (VARCHAR(n), as the spec's tables give them).
        case string(Int)
        /// Text without a small bound: records and JSON documents.
        case text
        case integer
        case real
    }

    public struct Column {
        public let name: String
        public let type: ColumnType
        public let nullable: Bool
        /// A text default, for rows written before the column existed.
        public let defaultText: String?
        /// Left out of `fabric-store export` unless --with-secrets is given.
        public let secret: Bool

        public init(_ name: String, _ type: ColumnType, nullable: Bool = false, default defaultText: String? = nil,
                    secret: Bool = false) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.defaultText = defaultText
            self.secret = secret
        }
    }

    public struct Index {
        public let name: String
        public let columns: [String]
        /// The index ends with the table's insertion order, so that `WHERE a = ? ORDER BY b,
        /// <insertion order>` reads it in order instead of sorting (SQLDialect.insertionOrder).
        public let insertionOrdered: Bool
        public init(_ name: String, _ columns: [String], insertionOrdered: Bool = false) {
            self.name = name
            self.columns = columns
            self.insertionOrdered = insertionOrdered
        }
    }

    public struct ForeignKey {
        public let column: String
        public let table: String
        public let referencedColumn: String
    }

    /// A table. Every table keeps its rows' insertion order (SQLite's rowid, a `seq` column on
    /// MySQL; see SQLDialect.insertionOrder), which listings and export follow.
    public struct Table {
        public let name: String
        public internal(set) var columns: [Column]
        public let primaryKey: [String]
        public let foreignKeys: [ForeignKey]
        public internal(set) var indexes: [Index]
        /// False for a cache (tokens): export leaves it out, and a fresh store refills it.
        public let exported: Bool

        public init(_ name: String, _ columns: [Column], primaryKey: [String],
                    references: [(column: String, table: String, referencedColumn: String)] = [],
                    indexes: [Index] = [], exported: Bool = true) {
            self.name = name
            self.columns = columns
            self.primaryKey = primaryKey
            foreignKeys = references.map { ForeignKey(column: $0.column, table: $0.table, referencedColumn: $0.referencedColumn) }
            self.indexes = indexes
            self.exported = exported
        }

        public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
    }

    public enum Step {
        case createTable(Table)
        case addColumn(table: String, Column)
        case createIndex(table: String, Index)
        /// A column's new definition (a wider VARCHAR): its rows keep their values.
        case changeColumn(table: String, Column)
    }

    public static let migrations: [[Step]] = [
        // 1: the spec's providers and machines tables (with its column types), snapshots, and
        // the null provider's emulated cloud.
        [
            .createTable(Table("providers", [
                Column("provider_id", .string(256)),
                Column("type", .integer),
                Column("username", .string(100)),
                Column("password", .string(128), secret: true),
                Column("url", .string(256)),
                Column("tenant", .string(100)),
                Column("default_image", .string(256), nullable: true),
                Column("default_flavor", .string(256), nullable: true),
                Column("extra", .text, default: "{}"),
                Column("created", .string(64)),
            ], primaryKey: ["provider_id"])),
            .createTable(Table("machines", [
                Column("machine_uuid", .string(40)),
                Column("provider_id", .string(256)),
                Column("av_zone", .string(256), nullable: true),
                Column("addresses", .text, default: "[]"),
                Column("status", .string(64), nullable: true),
                Column("group_id", .string(256), nullable: true),
                Column("created", .string(64)),
                Column("record", .text),
            ], primaryKey: ["provider_id", "machine_uuid"], references: [("provider_id", "providers", "provider_id")],
               indexes: [Index("machines_group", ["group_id"])])),
            .createTable(Table("snapshots", [
                Column("snapshot_id", .string(256)),
                Column("provider_id", .string(256)),
                Column("machine_uuid", .string(40)),
                Column("name", .string(256), nullable: true),
                Column("status", .string(64), nullable: true),
                Column("created", .string(64)),
                Column("record", .text),
            ], primaryKey: ["provider_id", "snapshot_id"], references: [("provider_id", "providers", "provider_id")],
               indexes: [Index("snapshots_machine", ["provider_id", "machine_uuid"])])),
            .createTable(Table("null_servers", [
                Column("id", .string(40)),
                Column("provider_id", .string(256)),
                Column("name", .text),
                Column("group_id", .string(256), nullable: true),
                Column("image_id", .string(256)),
                Column("flavor_id", .string(256)),
                Column("av_zone", .string(256)),
                Column("network", .string(256)),
                Column("private_address", .string(64)),
                Column("failed_reason", .text, nullable: true),
                Column("metadata", .text, default: "{}"),
                Column("request", .text, default: "{}"),
                Column("created", .real),
            ], primaryKey: ["id"], indexes: [Index("null_servers_provider", ["provider_id", "group_id"])])),
            .createTable(Table("null_addresses", [
                Column("address", .string(64)),
                Column("provider_id", .string(256)),
                Column("server_id", .string(40)),
                Column("network", .string(256)),
            ], primaryKey: ["address"])),
            .createTable(Table("null_images", [
                Column("id", .string(40)),
                Column("provider_id", .string(256)),
                Column("name", .text),
                Column("machine_uuid", .string(40)),
                Column("min_disk", .integer),
                Column("min_ram", .integer),
                Column("failed_reason", .text, nullable: true),
                Column("created", .real),
            ], primaryKey: ["id"])),
        ],
        // 2: a cloud session (token, catalog, compute microversion) that the tools of a pipeline,
        // and the commands after it, reuse until shortly before it expires. A cache: not exported.
        [
            .createTable(Table("tokens", [
                Column("provider_id", .string(256)),
                Column("credentials", .string(64)),
                Column("token", .text, secret: true),
                Column("expires", .real),
                Column("session", .text),
            ], primaryKey: ["provider_id"], exported: false)),
        ],
        // 3: listing a provider's machines in creation order reads an index instead of sorting
        // every row: 100,000 machines in 0.35 s instead of 1.2 s on MariaDB, 0.10 s instead of
        // 0.30 s on SQLite (a busy machine; Tests/Benchmarks/run list).
        [
            .createIndex(table: "machines", Index("machines_listing", ["provider_id", "created"], insertionOrdered: true)),
        ],
        // 4: the spec's 128 characters for a password do not hold an EC2 secret key with its
        // session token; a store made at version 1-3 keeps its passwords.
        [
            .changeColumn(table: "providers", Column("password", .string(2048), secret: true)),
        ],
        // 5: named groups keep the options they were created with, so `machine scale` creates
        // more of the same; and leases (a cache) that let one scale of a group act at a time,
        // across hosts on a MySQL store.
        [
            .createTable(Table("machine_groups", [
                Column("provider_id", .string(256)),
                Column("group_id", .string(256)),
                Column("options", .text, default: "[]"),
                Column("updated", .string(64)),
            ], primaryKey: ["provider_id", "group_id"], references: [("provider_id", "providers", "provider_id")])),
            .createTable(Table("locks", [
                Column("name", .string(256)),
                Column("holder", .string(256)),
                Column("expires", .real),
            ], primaryKey: ["name"], exported: false)),
        ],
        // 6: the cloud's answers to flavor searches, kept for the provider's catalog_ttl so a
        // pipeline or the next command does not list the catalogue again (CatalogCache.swift).
        // A cache: not exported.
        [
            .createTable(Table("catalogs", [
                Column("provider_id", .string(256)),
                Column("kind", .string(16)),
                Column("query_key", .string(64)),
                Column("fetched", .real),
                Column("items", .text),
            ], primaryKey: ["provider_id", "kind", "query_key"], exported: false)),
        ],
        // 7: background jobs (--synchronous=false, fabric-job): in the store, so the operators
        // of a team's MySQL store see each other's. The command is kept without its secrets.
        [
            .createTable(Table("jobs", [
                Column("job_id", .integer),
                Column("command", .text),
                Column("host", .string(256)),
                Column("pid", .integer),
                Column("state", .string(16)),
                Column("exit_status", .integer, nullable: true),
                Column("started", .string(64)),
                Column("ended", .string(64), nullable: true),
                Column("output", .text, default: ""),
                Column("stderr", .text, default: ""),
            ], primaryKey: ["job_id"])),
        ],
        // 8: the null provider's emulated compute hosts, so a spread (fabric-boot --spread) is
        // placed and checked as on a cloud. A machine made before has none.
        [
            .addColumn(table: "null_servers", Column("host", .string(64), default: "")),
        ],
    ]

    public static var version: Int { migrations.count }

    /// Every table as the newest version has it, in creation order (a table before those that
    /// refer to it), as export writes and import reads them.
    public static let tables: [Table] = {
        var tables: [Table] = []
        for step in migrations.joined() {
            switch step {
            case .createTable(let table): tables.append(table)
            case .addColumn(let name, let column):
                tables[tables.firstIndex { $0.name == name }!].columns.append(column)
            case .createIndex(let name, let index):
                tables[tables.firstIndex { $0.name == name }!].indexes.append(index)
            case .changeColumn(let name, let column):
                let table = tables.firstIndex { $0.name == name }!
                tables[table].columns[tables[table].columns.firstIndex { $0.name == column.name }!] = column
            }
        }
        return tables
    }()

    public static func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    private static let widths: [String: Int] = {
        var widths: [String: Int] = [:]
        for table in tables {
            for column in table.columns {
                if case .string(let width) = column.type { widths[table.name + "." + column.name] = width }
            }
        }
        return widths
    }()

    /// Checks that a value fits its column before anything is stored, so a value too long for
    /// the spec's VARCHAR widths is the same clear error on every backend (SQLite would keep it,
    /// MySQL refuse it half-way through).
    public static func check(_ value: String?, fits table: String, _ column: String, as what: @autoclosure () -> String,
                             kind: FabricError.Kind = .input) throws(FabricError) {
        try Width(table, column).check(value, as: what(), kind: kind)
    }

    /// One column's width, looked up once: `fabric-store add` checks 100,000 records' fields.
    public struct Width: Sendable {
        public let table: String
        public let column: String
        public let limit: Int?

        public init(_ table: String, _ column: String) {
            self.table = table
            self.column = column
            limit = widths[table + "." + column]
        }

        public func check(_ value: String?, as what: @autoclosure () -> String, kind: FabricError.Kind = .input) throws(FabricError) {
            // A character takes at least one UTF-8 byte: only a value with more bytes than the
            // width needs counting.
            guard let value, let limit, value.utf8.count > limit else { return }
            let length = value.unicodeScalars.count
            if length > limit {
                throw FabricError(kind, "\(what()) is \(length) characters long; the store keeps at most \(limit) (\(table).\(column))")
            }
        }
    }
}

extension ProviderRecord {
    /// Checks that each field fits its column of the providers table.
    public func checkWidths() throws(FabricError) {
        for (name, value) in [("provider_id", id), ("username", username), ("password", password), ("url", url),
                              ("tenant", tenant), ("default_image", defaultImage), ("default_flavor", defaultFlavor)] {
            try Schema.check(value, fits: "providers", name, as: "provider \(name == "provider_id" ? "id" : name)", kind: .usage)
        }
    }
}
