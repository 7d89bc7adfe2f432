import FabricRecords
import CSQLite

/// A thin typed door to one SQLite connection. Errors come back as StoreError values
/// carrying SQLite's own message.
public final class SQLiteDatabase: Database {
    let handle: OpaquePointer
    public let location: String
    public let dialect: any SQLDialect = SQLiteDialect()

    public init(path: String, busyTimeoutMilliseconds: Int32 = 30_000) throws(FabricError) {
        location = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw FabricError.store("cannot open store \"\(path)\": \(message)")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    public func execute(_ sql: String) throws(FabricError) {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw FabricError.store(text)
        }
    }

    public func prepare(_ sql: String) throws(FabricError) -> any Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw FabricError.store("\(lastError) in: \(sql)")
        }
        return SQLiteStatement(statement, database: self)
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> Int {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    public func rows(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and
    /// then writes can fail with "database is locked" without ever waiting on the busy timeout.
    public func transaction<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// A deferred transaction: its first read fixes what it sees (WAL), and writers go on.
    public func snapshot<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }

    public func schemaVersion() throws(FabricError) -> Int {
        try rows("PRAGMA user_version").first?.integer(0) ?? 0
    }

    /// DDL is transactional in SQLite: the whole upgrade is one immediate transaction, and a
    /// process that waited for it finds the version already reached.
    public func migrate(_ migrations: [[String]]) throws(FabricError) {
        try transaction { () throws(FabricError) in
            let version = try schemaVersion()
            guard version < migrations.count else { return }
            for statement in migrations.dropFirst(version).joined() { try execute(statement) }
            try execute("PRAGMA user_version = \(migrations.count)")
        }
    }
}

public final class SQLiteStatement: Statement {
    let handle: OpaquePointer
    let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ values: [SQLValue?]) throws(FabricError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .text(let text): status = sqlite3_bind_text(handle, index, text, -1, fabric_sqlite_transient())
            case .integer(let number): status = sqlite3_bind_int64(handle, index, Int64(number))
            case .real(let number): status = sqlite3_bind_double(handle, index, number)
            case nil: status = sqlite3_bind_null(handle, index)
            }
            guard status == SQLITE_OK else { throw FabricError.store(database.lastError) }
        }
    }

    /// Advances to the next row; false when done.
    public func step() throws(FabricError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw FabricError.store(database.lastError)
        }
    }

    /// A text column's bytes in place, valid until the next step: no String is made.
    public func textBytes(_ column: Int) -> UnsafeRawBufferPointer? {
        let column = Int32(column)
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let text = sqlite3_column_text(handle, column) else {
            return nil
        }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }

    public func row() -> Row {
        Row(values: (0..<sqlite3_column_count(handle)).map { column in
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: .integer(Int(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: .real(sqlite3_column_double(handle, column))
            case SQLITE_NULL: nil
            default:
                .text(String(cString: sqlite3_column_text(handle, column)))
            }
        })
    }
}
