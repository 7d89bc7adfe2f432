/// MySQL's and MariaDB's spelling of the schema: the spec's VARCHAR widths, MEDIUMTEXT for
/// records, InnoDB tables in utf8mb4 with a binary collation (ids compare as SQLite compares
/// them: "Demo" is not "demo"), foreign keys as table constraints (InnoDB ignores them inline),
/// a `seq` column for insertion order, and ON DUPLICATE KEY UPDATE for upserts.

struct MySQLDialect: SQLDialect {
    /// utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL 8: binary and without PAD SPACE,
    /// so "a" and "a " are two ids, as in SQLite. utf8mb4_bin on older servers.
    let collation: String

    static let sequenceColumn = "seq"

    func statements(for step: Schema.Step) -> [String] {
        switch step {
        case .createTable(let table):
            var lines = table.columns.map(columnDefinition)
            lines.append("\(MySQLDialect.sequenceColumn) BIGINT NOT NULL AUTO_INCREMENT")
            lines.append("PRIMARY KEY (\(table.primaryKey.joined(separator: ", ")))")
            lines.append("UNIQUE KEY \(table.name)_\(MySQLDialect.sequenceColumn) (\(MySQLDialect.sequenceColumn))")
            lines += table.indexes.map { "KEY \($0.name) (\(columns(of: $0)))" }
            for key in table.foreignKeys {
                lines.append("CONSTRAINT \(table.name)_\(key.column)_fk FOREIGN KEY (\(key.column)) "
                             + "REFERENCES \(key.table) (\(key.referencedColumn))")
            }
            // IF NOT EXISTS: MySQL's DDL is not transactional, so a migration cut short is run
            // again from its first table by the next process.
            return ["CREATE TABLE IF NOT EXISTS \(table.name) (\n    " + lines.joined(separator: ",\n    ")
                    + "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=\(collation)"]
        case .addColumn(let table, let column):
            return ["ALTER TABLE \(table) ADD COLUMN \(columnDefinition(column))"]
        case .createIndex(let table, let index):
            return ["CREATE INDEX \(index.name) ON \(table) (\(columns(of: index)))"]
        case .changeColumn(let table, let column):
            return ["ALTER TABLE \(table) MODIFY COLUMN \(columnDefinition(column))"]
        }
    }

    /// An InnoDB secondary index ends with the primary key, not with `seq`: name it.
    private func columns(of index: Schema.Index) -> String {
        (index.columns + (index.insertionOrdered ? [MySQLDialect.sequenceColumn] : [])).joined(separator: ", ")
    }

    private func columnDefinition(_ column: Schema.Column) -> String {
        let type = switch column.type {
        case .string(let width): "VARCHAR(\(width))"
        case .text: "MEDIUMTEXT"
        case .integer: "INT"
        case .real: "DOUBLE"
        }
        // A TEXT column's default is an expression in parentheses on MySQL 8 and MariaDB 10.2+.
        return "\(column.name) \(type)" + (column.nullable ? " NULL" : " NOT NULL")
            + (column.defaultText.map { " DEFAULT (\(literal($0)))" } ?? "")
    }

    var insertionOrder: String { MySQLDialect.sequenceColumn }

    func upsert(into table: String, columns: [String], rows: Int, key: [String], update: [String]) -> String {
        insert(into: table, columns: columns, rows: rows)
            + " ON DUPLICATE KEY UPDATE " + update.map { "\($0) = VALUES(\($0))" }.joined(separator: ", ")
    }
}
