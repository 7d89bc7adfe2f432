import FabricRecords
import CMariaDB

/// A server-side prepared statement: values go as bound parameters (never into the SQL text),
/// and rows come back over the binary protocol one at a time (unbuffered), so 100,000 machine
/// records are streamed rather than held. Integer and floating columns arrive as numbers,
/// everything else as text in a buffer that grows when a value does not fit.
final class MySQLStatement: Statement {
    private let database: MySQLDatabase
    private let sql: String
    /// A read can be sent again after a lost connection; a write only if it never left.
    private let isRead: Bool
    private var handle: UnsafeMutablePointer<MYSQL_STMT>
    private var generation: Int
    private var parameters: Parameters
    private var executed = false
    private var columns: ResultColumns?
    private(set) var affectedRows = 0

    init(_ sql: String, database: MySQLDatabase) throws(FabricError) {
        self.database = database
        self.sql = sql
        let verb = sql.drop(while: { $0 == " " || $0 == "\n" }).prefix(6).uppercased()
        isRead = verb.hasPrefix("SELECT") || verb.hasPrefix("SHOW")
        parameters = Parameters([])
        handle = try database.withReconnect(isRead: true) { () throws(FabricError) in
            try MySQLStatement.open(sql, database)
        }
        generation = database.generation
    }

    deinit {
        // After a reconnect the old connection is closed; Connector/C has then detached this
        // statement from it, and closing only frees memory.
        mysql_stmt_close(handle)
        parameters.free()
        columns?.free()
    }

    private static func open(_ sql: String, _ database: MySQLDatabase) throws(FabricError) -> UnsafeMutablePointer<MYSQL_STMT> {
        guard let statement = mysql_stmt_init(database.handle) else { throw database.connectionFailure(sql: sql) }
        if mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) != 0 {
            let error = database.failure(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)),
                                         sql: sql)
            mysql_stmt_close(statement)
            throw error
        }
        return statement
    }

    private func failure() -> FabricError {
        database.failure(code: mysql_stmt_errno(handle), message: String(cString: mysql_stmt_error(handle)), sql: sql)
    }

    func bind(_ values: [SQLValue?]) throws(FabricError) {
        if executed && columns != nil { mysql_stmt_free_result(handle) }
        executed = false
        parameters.free()
        parameters = Parameters(values)
    }

    func step() throws(FabricError) -> Bool {
        if !executed {
            try database.withReconnect(isRead: isRead) { () throws(FabricError) in try execute() }
            executed = true
        }
        guard let columns else { return false }
        switch mysql_stmt_fetch(handle) {
        case 0:
            return true
        case MYSQL_NO_DATA:
            return false
        case MYSQL_DATA_TRUNCATED:
            try columns.fetchTruncated(handle) { () -> FabricError in failure() }
            return true
        default:
            throw failure()
        }
    }

    /// Sends the statement with its values; on a new connection, prepares it there first.
    private func execute() throws(FabricError) {
        if generation != database.generation {
            let fresh = try MySQLStatement.open(sql, database)
            mysql_stmt_close(handle)
            handle = fresh
            generation = database.generation
            columns?.free()
            columns = nil
        }
        let expected = Int(mysql_stmt_param_count(handle))
        guard expected == parameters.count else {
            throw FabricError.store("store \(database.location): statement takes \(expected) values, given \(parameters.count): "
                                    + MySQLDatabase.abbreviated(sql))
        }
        if expected > 0 && mysql_stmt_bind_param(handle, parameters.binds) != 0 { throw failure() }
        if mysql_stmt_execute(handle) != 0 { throw failure() }
        let fields = Int(mysql_stmt_field_count(handle))
        if fields == 0 {
            affectedRows = Int(truncatingIfNeeded: mysql_stmt_affected_rows(handle))
            return
        }
        if columns == nil {
            guard let metadata = mysql_stmt_result_metadata(handle) else { throw failure() }
            defer { mysql_free_result(metadata) }
            columns = ResultColumns(mysql_fetch_fields(metadata), count: fields)
        }
        if mysql_stmt_bind_result(handle, columns!.binds) != 0 { throw failure() }
    }

    func textBytes(_ column: Int) -> UnsafeRawBufferPointer? {
        columns?.text(column)
    }

    func row() -> Row {
        guard let columns else { return Row(values: []) }
        return Row(values: (0..<columns.count).map(columns.value))
    }
}

/// The values bound to a statement's `?` marks, in memory that stays put until the next bind.
private struct Parameters {
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let storage: UnsafeMutableRawPointer

    init(_ values: [SQLValue?]) {
        count = values.count
        binds = .allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        var size = 0
        for value in values {
            switch value {
            case .text(let text): size += (text.utf8.count + 7) & ~7
            case .integer, .real: size += 8
            case nil: break
            }
        }
        storage = .allocate(byteCount: max(size, 8), alignment: 8)
        var offset = 0
        for (index, value) in values.enumerated() {
            let bind = binds + index
            let slot = storage + offset
            switch value {
            case .text(var text):
                let length = text.withUTF8 { bytes in
                    if let base = bytes.baseAddress { slot.copyMemory(from: base, byteCount: bytes.count) }
                    return bytes.count
                }
                bind.pointee.buffer_type = MYSQL_TYPE_STRING
                bind.pointee.buffer_length = UInt(length)
                lengths[index] = UInt(length)
                bind.pointee.length = lengths + index
                offset += (length + 7) & ~7
            case .integer(let number):
                slot.storeBytes(of: Int64(number), as: Int64.self)
                bind.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                offset += 8
            case .real(let number):
                slot.storeBytes(of: number, as: Double.self)
                bind.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                offset += 8
            case nil:
                bind.pointee.buffer_type = MYSQL_TYPE_NULL
            }
            bind.pointee.buffer = slot
        }
    }

    func free() {
        binds.deallocate()
        lengths.deallocate()
        storage.deallocate()
    }
}

/// Where each result column of the current row lands.
private final class ResultColumns {
    enum Kind { case integer, real, text }

    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let kinds: [Kind]
    private var buffers: [UnsafeMutableRawPointer]
    private var capacities: [Int]
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>

    init(_ fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        self.count = count
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        nulls = .allocate(capacity: count)
        nulls.initialize(repeating: 0, count: count)
        errors = .allocate(capacity: count)
        errors.initialize(repeating: 0, count: count)
        kinds = (0..<count).map { index in
            switch fields[index].type {
            case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
                .integer
            case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE: .real
            default: .text
            }
        }
        capacities = kinds.map { $0 == .text ? 1024 : 8 }
        buffers = capacities.map { UnsafeMutableRawPointer.allocate(byteCount: $0, alignment: 8) }
        for index in 0..<count { point(index) }
    }

    private func point(_ index: Int) {
        let bind = binds + index
        bind.pointee.buffer_type = switch kinds[index] {
        case .integer: MYSQL_TYPE_LONGLONG
        case .real: MYSQL_TYPE_DOUBLE
        case .text: MYSQL_TYPE_STRING
        }
        bind.pointee.buffer = buffers[index]
        bind.pointee.buffer_length = UInt(capacities[index])
        bind.pointee.length = lengths + index
        bind.pointee.is_null = nulls + index
        bind.pointee.error = errors + index
    }

    /// A text longer than its buffer: grow the buffer, read the whole value, and bind the bigger
    /// buffer for the rows that follow.
    func fetchTruncated(_ statement: UnsafeMutablePointer<MYSQL_STMT>, _ failure: () -> FabricError) throws(FabricError) {
        for index in 0..<count where errors[index] != 0 && kinds[index] == .text {
            let needed = Int(lengths[index])
            buffers[index].deallocate()
            capacities[index] = max(needed, capacities[index] * 2)
            buffers[index] = .allocate(byteCount: capacities[index], alignment: 8)
            point(index)
            if mysql_stmt_fetch_column(statement, binds + index, UInt32(index), 0) != 0 { throw failure() }
            errors[index] = 0
        }
        if mysql_stmt_bind_result(statement, binds) != 0 { throw failure() }
    }

    func text(_ index: Int) -> UnsafeRawBufferPointer? {
        guard nulls[index] == 0, kinds[index] == .text else { return nil }
        return UnsafeRawBufferPointer(start: buffers[index], count: Int(lengths[index]))
    }

    func value(_ index: Int) -> SQLValue? {
        guard nulls[index] == 0 else { return nil }
        switch kinds[index] {
        case .integer: return .integer(Int(buffers[index].load(as: Int64.self)))
        case .real: return .real(buffers[index].load(as: Double.self))
        case .text: return .text(String(decoding: text(index)!, as: UTF8.self))
        }
    }

    func free() {
        for buffer in buffers { buffer.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}
