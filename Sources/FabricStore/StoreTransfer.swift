import FabricRecords

/// `fabric-store export` and `import`: every row of every table the schema exports, as JSON
/// lines, so `fabric-store export --store A | fabric-store import --store mysql://...` moves a
/// store from one backend to another. The first line says what follows:
///
///     {"kind":"store_export","schema_version":4,"secrets":false}
///     {"kind":"store_row","table":"providers","row":{"provider_id":"demo","type":1,...}}
///
/// Rows come table by table in creation order (a provider before its machines) and, within a
/// table, in insertion order, which import keeps. Secret columns (a provider's password) are
/// left out unless asked for; importing a row without one is refused, since the provider would
/// not work. Tables that are caches (Schema.Table.exported false) are left out: a new store
/// refills them.
extension Store {
    public static let exportKind = "store_export"
    public static let rowKind = "store_row"

    /// Writes the header, then each row, streamed (100,000 machines are never all in memory),
    /// all from one snapshot of the store, while other commands go on writing.
    public func export(withSecrets: Bool, _ write: (JSON) throws(FabricError) -> Void) throws(FabricError) {
        try database.snapshot { () throws(FabricError) in try exportRows(withSecrets: withSecrets, write) }
    }

    private func exportRows(withSecrets: Bool, _ write: (JSON) throws(FabricError) -> Void) throws(FabricError) {
        let header = JSON.object()
        header["kind"] = JSON(Store.exportKind)
        header["schema_version"] = JSON(Schema.version)
        header["secrets"] = JSON(withSecrets)
        try write(header)
        for table in Schema.tables where table.exported {
            let columns = table.columns.filter { withSecrets || !$0.secret }
            let statement = try database.prepare("SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(table.name) "
                                                 + "ORDER BY \(database.dialect.insertionOrder)")
            try statement.bind([])
            while try statement.step() {
                let values = statement.row().values
                let row = JSON.object()
                for (column, value) in zip(columns, values) {
                    switch value {
                    case .text(let text): row[column.name] = JSON(text)
                    case .integer(let number): row[column.name] = JSON(number)
                    case .real(let number): row[column.name] = JSON(number)
                    case nil: row[column.name] = .null
                    }
                }
                let record = JSON.object()
                record["kind"] = JSON(Store.rowKind)
                record["table"] = JSON(table.name)
                record["row"] = row
                try write(record)
            }
        }
    }

    /// What import checked, table by table, ready to insert.
    public struct ImportedRows {
        public fileprivate(set) var tables: [(table: Schema.Table, rows: [[SQLValue?]])] =
            Schema.tables.filter(\.exported).map { ($0, []) }
        public var count: Int { tables.reduce(0) { $0 + $1.rows.count } }
    }

    /// Reads and checks a whole export before anything is stored: a malformed row anywhere, a
    /// row of another schema version, or a secret left out changes nothing.
    public static func readExport(_ next: () throws(FabricError) -> JSON?) throws(FabricError) -> ImportedRows {
        guard let header = try next(), header["kind"]?.string == exportKind else {
            throw FabricError.input("record 1 is not an export header {\"kind\":\"\(exportKind)\",...}",
                                    hint: "make one with fabric-store export")
        }
        guard let version = header["schema_version"]?.int, version == Schema.version else {
            throw FabricError.input("the export has schema version \(header["schema_version"]?.scalarText ?? "none"), "
                                    + "this fabric's store has \(Schema.version)", hint: "export and import with the same fabric")
        }
        var result = ImportedRows()
        var number = 1
        while let record = try next() {
            number += 1
            let at = "record \(number)"
            guard record["kind"]?.string == rowKind else { throw FabricError.input("\(at) is not a \"\(rowKind)\" record") }
            let name = record["table"]?.string ?? ""
            guard let index = result.tables.firstIndex(where: { $0.table.name == name }) else {
                throw FabricError.input("\(at): table \(quoted(name)) is not one the store exports "
                                        + "(tables: \(result.tables.map(\.table.name).joined(separator: ", ")))")
            }
            let table = result.tables[index].table
            guard let row = record["row"], row.isObject else { throw FabricError.input("\(at) has no \"row\" object") }
            for key in row.keys where table.column(key) == nil {
                throw FabricError.input("\(at): \(name) has no column \(quoted(key))")
            }
            var values: [SQLValue?] = []
            for column in table.columns {
                values.append(try value(row[column.name], for: column, in: table, at: at))
            }
            result.tables[index].rows.append(values)
        }
        return result
    }

    private static func value(_ json: JSON?, for column: Schema.Column, in table: Schema.Table, at: String) throws(FabricError) -> SQLValue? {
        let name = "\(table.name).\(column.name)"
        guard let json, !json.isNull else {
            if column.nullable { return nil }
            if json == nil && column.secret {
                throw FabricError.input("\(at): \(name) was left out of the export (it is secret)",
                                        hint: "export with --with-secrets")
            }
            if json == nil, let text = column.defaultText { return .text(text) }
            throw FabricError.input("\(at): \(name) must not be null")
        }
        switch column.type {
        case .string, .text:
            guard let text = json.string else { throw FabricError.input("\(at): \(name) must be a string") }
            try Schema.check(text, fits: table.name, column.name, as: "\(at): \(name)")
            return .text(text)
        case .integer:
            guard let number = json.int else { throw FabricError.input("\(at): \(name) must be a whole number") }
            return .integer(number)
        case .real:
            guard let number = json.number else { throw FabricError.input("\(at): \(name) must be a number") }
            return .real(number)
        }
    }

    /// Stores checked rows in one transaction, into a store that holds none yet (an import is a
    /// move, not a merge: a row of the same key would have to win or lose silently).
    public func importRows(_ imported: ImportedRows) throws(FabricError) {
        try database.transaction { () throws(FabricError) in
            for (table, _) in imported.tables {
                let count = try database.rows("SELECT count(*) FROM \(table.name)").first?.integer(0) ?? 0
                if count > 0 {
                    throw FabricError.store("store \(quoted(location)) already holds \(count) row\(count == 1 ? "" : "s") in \(table.name)",
                                            hint: "import into a new, empty store")
                }
            }
            for (table, rows) in imported.tables where !rows.isEmpty {
                let columns = table.columns.map(\.name)
                try insertInBatches(count: rows.count, { database.dialect.insert(into: table.name, columns: columns, rows: $0) }) {
                    (range, values) in
                    for row in rows[range] { values += row }
                }
            }
        }
    }
}
