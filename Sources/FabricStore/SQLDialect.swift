/// Where the backends' SQL differs, in one place per backend: the DDL a schema step becomes,
/// the upsert, and the column that keeps insertion order. Everything else the store says is
/// the SQL both understand (`?` marks, count(*), ORDER BY, IN, DELETE).

public protocol SQLDialect {
    /// The statements that carry out one schema step, in order.
    func statements(for step: Schema.Step) -> [String]

    /// The column that orders a table's rows as they were inserted.
    var insertionOrder: String { get }

    /// INSERT INTO table (columns) VALUES (?, ...) for `rows` rows, which updates the `update`
    /// columns of a row whose key (`key`) exists instead of failing.
    func upsert(into table: String, columns: [String], rows: Int, key: [String], update: [String]) -> String
}

extension SQLDialect {
    /// `(?, ?, ?), (?, ?, ?)`: the VALUES of an INSERT of `rows` rows of `columns` columns.
    public func valueMarks(columns: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    public func insert(into table: String, columns: [String], rows: Int = 1) -> String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(valueMarks(columns: columns.count, rows: rows))"
    }

    /// A text literal for DDL (defaults), quotes doubled.
    func literal(_ text: String) -> String {
        "'" + text.replacingEvery("'", with: "''") + "'"
    }
}
