import FabricRecords

/// What the store asks of a SQL database: statements with bound values, rows, transactions,
/// and a schema brought up to date. SQLiteDatabase (a file) and MySQLDatabase (a server) give
/// the same guarantees: a transaction runs its body as if alone (no lost or duplicated row under
/// concurrent writers), and every failure is a StoreError that names what failed. How each
/// backend spells its SQL (types, upserts, row order) lives in its SQLDialect, not in the store.
public protocol Database: AnyObject {
    var dialect: any SQLDialect { get }

    /// Where the store is, for messages: a path or a mysql:// URL (never with a password).
    var location: String { get }

    /// One statement with neither values nor rows (DDL, SET, ...).
    func execute(_ sql: String) throws(FabricError)

    /// A statement to bind and step through. On a server, a statement being stepped must be
    /// finished before another is started on the same database.
    func prepare(_ sql: String) throws(FabricError) -> any Statement

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> Int

    func rows(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> [Row]

    /// Runs `body` in one write transaction: all of it is stored, or none. The body may run more
    /// than once (a server retries after a deadlock or a lost connection), so it must not change
    /// anything but the database before it returns.
    func transaction<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T

    /// Runs `body` on one consistent snapshot of the store, once, without holding writers back:
    /// what a read of several tables (export) needs.
    func snapshot<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T

    /// The version of the schema the store holds: 0 for a new store.
    func schemaVersion() throws(FabricError) -> Int

    /// Applies the statements of each migration past the stored version, in order, and records
    /// the version reached; another process migrating at the same time waits, then finds the
    /// work done.
    func migrate(_ migrations: [[String]]) throws(FabricError)
}

extension Database {
    @discardableResult
    public func run(_ sql: String) throws(FabricError) -> Int { try run(sql, []) }
    public func rows(_ sql: String) throws(FabricError) -> [Row] { try rows(sql, []) }
}

public protocol Statement: AnyObject {
    /// Binds values to the statement's `?` marks, in order, ready to run again.
    func bind(_ values: [SQLValue?]) throws(FabricError)

    /// Runs the statement or advances to its next row; false when there is no (further) row.
    func step() throws(FabricError) -> Bool

    /// A text column's bytes in place, valid until the next step: no String is made.
    func textBytes(_ column: Int) -> UnsafeRawBufferPointer?

    /// The current row's values.
    func row() -> Row
}

public enum SQLValue {
    case text(String)
    case integer(Int)
    case real(Double)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
}

public struct Row {
    public let values: [SQLValue?]

    public init(values: [SQLValue?]) { self.values = values }

    public func text(_ index: Int) -> String? {
        switch values[index] {
        case .text(let value): value
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case nil: nil
        }
    }
    public func integer(_ index: Int) -> Int? {
        switch values[index] {
        case .integer(let value): value
        case .real(let value): Int(value)
        case .text(let value): Int(value)
        case nil: nil
        }
    }
    public func real(_ index: Int) -> Double? {
        switch values[index] {
        case .integer(let value): Double(value)
        case .real(let value): value
        case .text(let value): Double(value)
        case nil: nil
        }
    }
}
