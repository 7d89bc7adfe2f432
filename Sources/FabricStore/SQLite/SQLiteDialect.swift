/// SQLite's spelling of the schema: every text is TEXT (SQLite does not bound VARCHAR; widths are
/// checked before storing, Schema.check), rows keep their order in the implicit rowid, and an
/// upsert is ON CONFLICT ... DO UPDATE.

struct SQLiteDialect: SQLDialect {
    func statements(for step: Schema.Step) -> [String] {
        switch step {
        case .createTable(let table):
            var lines = table.columns.map(columnDefinition)
            lines.append("PRIMARY KEY (\(table.primaryKey.joined(separator: ", ")))")
            for key in table.foreignKeys {
                lines.append("FOREIGN KEY (\(key.column)) REFERENCES \(key.table)(\(key.referencedColumn))")
            }
            return ["CREATE TABLE \(table.name) (\n    " + lines.joined(separator: ",\n    ") + "\n)"]
                + table.indexes.map { index(table.name, $0) }
        case .addColumn(let table, let column):
            return ["ALTER TABLE \(table) ADD COLUMN \(columnDefinition(column))"]
        case .createIndex(let table, let index):
            return [self.index(table, index)]
        case .changeColumn:
            // SQLite's TEXT has no width to change: Schema.check enforces the new one.
            return []
        }
    }

    private func columnDefinition(_ column: Schema.Column) -> String {
        let type = switch column.type {
        case .string, .text: "TEXT"
        case .integer: "INTEGER"
        case .real: "REAL"
        }
        return "\(column.name) \(type)" + (column.nullable ? "" : " NOT NULL")
            + (column.defaultText.map { " DEFAULT \(literal($0))" } ?? "")
    }

    /// Every SQLite index ends with the rowid already: insertionOrdered adds nothing.
    private func index(_ table: String, _ index: Schema.Index) -> String {
        "CREATE INDEX \(index.name) ON \(table)(\(index.columns.joined(separator: ", ")))"
    }

    var insertionOrder: String { "rowid" }

    func upsert(into table: String, columns: [String], rows: Int, key: [String], update: [String]) -> String {
        insert(into: table, columns: columns, rows: rows)
            + " ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET "
            + update.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    }
}
