import FabricRecords
import CMariaDB

/// A thin typed door to one connection to a MySQL or MariaDB server, through MariaDB
/// Connector/C (loaded on first use). It gives the store SQLite's guarantees on a shared server:
///
/// - A write transaction first updates the one row of `fabric_schema`, as SQLite's BEGIN
///   IMMEDIATE takes the write lock: writers of one store run one after another (readers do not
///   wait), so a read-then-write (the null provider's quota and free addresses) sees every
///   earlier commit. Being a write, it also makes Galera's certification fail one of two
///   transactions begun on different nodes, which then comes back as a deadlock and is retried.
/// - Deadlocks (1213) and lock wait timeouts (1205) roll back and run the transaction again.
/// - A connection lost (2006, 2013) before anything was written is opened again once, and the
///   statement or transaction sent again; lost later, it is a StoreError saying whether the
///   change may have been stored.
///
/// Errors are StoreErrors naming the store's URL, the server's message and its error number.
/// The password is only ever handed to mysql_real_connect; no message holds it.
public final class MySQLDatabase: Database {
    public let location: String
    public private(set) var dialect: any SQLDialect = MySQLDialect(collation: "utf8mb4_bin")
    let target: MySQLLocation
    private let password: String?
    private let optionFile: String?
    private(set) var handle: UnsafeMutablePointer<MYSQL>
    /// Counts connections: a statement prepared on an earlier one cannot be used.
    private(set) var generation = 0
    private(set) var inTransaction = false
    /// The last failure the server or client reported, to tell a retryable error from others.
    private var lastFailure: (code: UInt32, error: FabricError)?

    static let deadlock: UInt32 = 1213
    static let lockWaitTimeout: UInt32 = 1205
    static let unknownDatabase: UInt32 = 1049
    static let noSuchTable: UInt32 = 1146
    static let serverGone: UInt32 = 2006
    static let serverLost: UInt32 = 2013
    static let transactionAttempts = 6

    /// Errors after which the next host of a list is tried: the server is not there, cannot be
    /// reached, shuts down or is full, or it is a Galera node outside the primary component.
    static let failoverCodes: Set<UInt32> = [2002, 2003, 2005, 2006, 2013, 1040, notReady, 1053]
    /// What a Galera node that is not ready says (ER_UNKNOWN_COM_ERROR, "WSREP has not yet
    /// prepared node for application use"), and what the store says of one before using it.
    static let notReady: UInt32 = 1047
    /// Connector/C's CR_SSL_CONNECTION_ERROR: what the store says of a session without TLS
    /// when its URL asks for TLS.
    static let notEncrypted: UInt32 = 2026

    /// The host of the list this connection went to; nil when the URL names only a socket.
    public private(set) var usedHost: MySQLHost?

    /// `password` nil: none, or the one the option file gives.
    /// `createDatabase` false: a database that is not there is an error, and nothing is made.
    public init(_ target: MySQLLocation, password: String?, optionFile: String?, createDatabase: Bool = true) throws(FabricError) {
        self.target = target
        self.password = password
        self.optionFile = optionFile
        location = target.url
        if let error = fabric_mariadb_load_error() {
            throw FabricError.store("store \(target.url): \(String(cString: error))")
        }
        (handle, usedHost) = try MySQLDatabase.connect(target, password: password, optionFile: optionFile, createDatabase: createDatabase)
        dialect = MySQLDialect(collation: MySQLDatabase.collation(for: handle))
    }

    deinit { mysql_close(handle) }

    // MARK: connecting

    /// Connects to the first host of the list that answers and is ready, in the order given;
    /// when none does, the error names each host and why.
    /// `useDatabase` false: the connection names no database (what `check` asks of a server).
    static func connect(_ target: MySQLLocation, password: String?, optionFile: String?, createDatabase: Bool = true,
                        useDatabase: Bool = true) throws(FabricError) -> (UnsafeMutablePointer<MYSQL>, MySQLHost?) {
        guard target.hosts.count > 1 else {
            let host = target.hosts.first
            switch try connect(target, host: host, password: password, optionFile: optionFile, createDatabase: createDatabase,
                               useDatabase: useDatabase) {
            case .success(let mysql):
                return (mysql, host)
            case .failure(let code, let message):
                throw FabricError.store("cannot connect to store \(target.url): \(message) (MySQL error \(code))", hint: hint(for: code))
            }
        }
        var refusals: [String] = []
        for host in target.hosts {
            switch try connect(target, host: host, password: password, optionFile: optionFile, createDatabase: createDatabase,
                               useDatabase: useDatabase) {
            case .success(let mysql):
                return (mysql, host)
            case .failure(let code, let message):
                refusals.append("\(host.address): \(message) (MySQL error \(code))")
                // Another node would refuse the same user, password or database: say so now.
                if !failoverCodes.contains(code) {
                    throw FabricError.store("cannot connect to store \(target.url): \(refusals.joined(separator: "; "))", hint: hint(for: code))
                }
            }
        }
        throw FabricError.store("cannot connect to store \(target.url): no host answers: \(refusals.joined(separator: "; "))",
                                hint: "are the servers running? see: fabric-store check")
    }

    /// One host: its database, created when the store is new and `createDatabase` allows.
    private static func connect(_ target: MySQLLocation, host: MySQLHost?, password: String?, optionFile: String?,
                                createDatabase: Bool, useDatabase: Bool) throws(FabricError) -> Attempt {
        var attempt = try open(target, host: host, password: password, optionFile: optionFile, database: useDatabase ? target.database : nil)
        if case .failure(let code, _) = attempt, code == unknownDatabase, createDatabase {
            // As SQLite creates the file, a new store creates its database (when the user may).
            // A new handle: Connector/C drops a handle's TLS options when a connect fails.
            attempt = try open(target, host: host, password: password, optionFile: optionFile, database: nil)
            if case .success(let mysql) = attempt {
                let name = "`\(target.database.replacingEvery("`", with: "``"))`"
                let create = "CREATE DATABASE IF NOT EXISTS \(name) CHARACTER SET utf8mb4 COLLATE \(collation(for: mysql))"
                let use = "USE \(name)"
                if mysql_real_query(mysql, create, UInt(create.utf8.count)) != 0 || mysql_real_query(mysql, use, UInt(use.utf8.count)) != 0 {
                    let error = FabricError.store("store \(target.url): cannot create database \(quoted(target.database)): "
                                                  + "\(String(cString: mysql_error(mysql))) (MySQL error \(mysql_errno(mysql)))",
                                                  hint: "create it, or ask the server's administrator to")
                    mysql_close(mysql)
                    throw error
                }
            }
        }
        return attempt
    }

    enum Attempt {
        case success(UnsafeMutablePointer<MYSQL>)
        case failure(code: UInt32, message: String)
    }

    /// One connection attempt on a new handle with every option set, its session made ready
    /// for the store (see prepareSession).
    static func open(_ target: MySQLLocation, host: MySQLHost?, password: String?, optionFile: String?,
                     database databaseName: String?, prepared: Bool = true) throws(FabricError) -> Attempt {
        guard let mysql = mysql_init(nil) else { throw FabricError.store("store \(target.url): out of memory") }
        // The option file (~/.my.cnf) may give the password (and TLS files) for [client] or
        // [fabric]; what the URL gives wins.
        if let optionFile {
            _ = fabric_mysql_set_string(mysql, MYSQL_READ_DEFAULT_FILE, optionFile)
            _ = fabric_mysql_set_string(mysql, MYSQL_READ_DEFAULT_GROUP, "fabric")
        }
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_CONNECT_TIMEOUT, 10)
        // Longer than a lock wait (50 s below): a server that stops answering is an error, not a hang.
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_READ_TIMEOUT, 120)
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_WRITE_TIMEOUT, 120)
        _ = fabric_mysql_set_bool(mysql, MYSQL_OPT_RECONNECT, 0)
        _ = fabric_mysql_set_string(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // Strict: a value that does not fit is an error, never silently cut.
        _ = fabric_mysql_set_string(mysql, MYSQL_INIT_COMMAND,
                                    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', "
                                    + "SESSION innodb_lock_wait_timeout = 50")
        if target.sslRequired { _ = fabric_mysql_set_bool(mysql, MYSQL_OPT_SSL_ENFORCE, 1) }
        if let ca = target.sslCA {
            _ = fabric_mysql_set_string(mysql, MYSQL_OPT_SSL_CA, ca)
            _ = fabric_mysql_set_bool(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, 1)
        }
        let name: String? = host.flatMap { $0.name.isEmpty ? nil : $0.name }
        // With TLS asked for, the session is checked before it names the database: a server
        // that refuses the name must not hide that the session was not encrypted.
        let database = target.sslRequired ? nil : databaseName
        // The handle's own error, read before the handle is closed.
        func closed() -> Attempt {
            let failure = Attempt.failure(code: mysql_errno(mysql), message: String(cString: mysql_error(mysql)))
            mysql_close(mysql)
            return failure
        }
        guard mysql_real_connect(mysql, name, target.user, password, database, host?.port ?? 0, target.socket, 0) != nil else {
            return closed()
        }
        // What counts is the session that resulted, not the option: Connector/C may log in
        // without TLS although it was told to enforce it (a server that offers none).
        if target.sslRequired, mysql_get_ssl_cipher(mysql) == nil {
            let address = host.map(\.address) ?? target.socket ?? "the server"
            mysql_close(mysql)
            return .failure(code: notEncrypted, message: "the session with \(address) is not encrypted, and the store URL asks for TLS "
                            + "(\(target.sslCA != nil ? "ssl_ca" : "ssl=required")): the server offers no TLS")
        }
        if target.sslRequired, let named = databaseName {
            let use = "USE `\(named.replacingEvery("`", with: "``"))`"
            if mysql_real_query(mysql, use, UInt(use.utf8.count)) != 0 { return closed() }
        }
        if prepared, let refusal = prepareSession(mysql) {
            mysql_close(mysql)
            return refusal
        }
        return .success(mysql)
    }

    /// On a Galera node: refuses a node that is not ready (outside the primary component, or
    /// still joining), so that the next host of the list is tried; and makes every read wait
    /// until the node has applied what the cluster committed before it (wsrep_sync_wait = 1),
    /// so that a command sees what the one before it stored through another node. A plain
    /// server (MariaDB with wsrep off, MySQL without the variable) is left as it is.
    private static func prepareSession(_ mysql: UnsafeMutablePointer<MYSQL>) -> Attempt? {
        switch galeraState(mysql) {
        case .failure(let failure):
            return .failure(code: failure.code, message: failure.message)
        case .success(nil):
            return nil
        case .success(let state?):
            guard state.ready else {
                return .failure(code: notReady, message: "the Galera node is not ready (\(state.summary))")
            }
            if case .failure(let failure) = textRows(mysql, "SET SESSION wsrep_sync_wait = 1") {
                return .failure(code: failure.code, message: failure.message)
            }
            return nil
        }
    }

    /// A Galera node's view of its cluster, from its status variables.
    struct GaleraState {
        var clusterSize: Int?
        var clusterStatus: String?
        var localState: String?
        var wsrepReady: Bool
        /// Ready for the store: it takes queries, in the primary component.
        var ready: Bool { wsrepReady && clusterStatus == "Primary" }

        var summary: String {
            "wsrep_ready \(wsrepReady ? "ON" : "OFF"), wsrep_cluster_status \(clusterStatus ?? "?"), "
                + "wsrep_local_state_comment \(localState ?? "?")"
        }
    }

    /// nil when the server does not replicate with Galera (wsrep_on OFF, or no such variable).
    static func galeraState(_ mysql: UnsafeMutablePointer<MYSQL>) -> Result<GaleraState?, QueryFailure> {
        switch textRows(mysql, "SELECT @@wsrep_on") {
        case .failure(let failure) where failure.code == unknownSystemVariable:
            return .success(nil)
        case .failure(let failure):
            return .failure(failure)
        case .success(let rows) where rows.first?.first ?? nil != "1":
            return .success(nil)
        case .success:
            break
        }
        let status = textRows(mysql, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                              + "('wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_ready')")
        return status.map { (rows) in
            var values: [String: String] = [:]
            for row in rows where row.count == 2 { if let key = row[0], let value = row[1] { values[key.lowercased()] = value } }
            return GaleraState(clusterSize: values["wsrep_cluster_size"].flatMap { Int($0) },
                               clusterStatus: values["wsrep_cluster_status"], localState: values["wsrep_local_state_comment"],
                               wsrepReady: values["wsrep_ready"] == "ON")
        }
    }

    static let unknownSystemVariable: UInt32 = 1193

    struct QueryFailure: Error {
        var code: UInt32
        var message: String
    }

    /// The rows of one statement over the text protocol, for what the store asks a server about
    /// itself (not its tables).
    static func textRows(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String) -> Result<[[String?]], QueryFailure> {
        guard mysql_real_query(mysql, sql, UInt(sql.utf8.count)) == 0 else {
            return .failure(QueryFailure(code: mysql_errno(mysql), message: String(cString: mysql_error(mysql))))
        }
        guard let result = mysql_store_result(mysql) else {
            let code = mysql_errno(mysql)
            return code == 0 ? .success([]) : .failure(QueryFailure(code: code, message: String(cString: mysql_error(mysql))))
        }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        var rows: [[String?]] = []
        while let row = mysql_fetch_row(result) {
            rows.append((0..<columns).map { row[$0].map { String(cString: $0) } })
        }
        return .success(rows)
    }

    /// The rows of one statement, each by its column names (SHOW SLAVE STATUS has dozens).
    static func namedRows(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String) -> Result<[[String: String]], QueryFailure> {
        guard mysql_real_query(mysql, sql, UInt(sql.utf8.count)) == 0 else {
            return .failure(QueryFailure(code: mysql_errno(mysql), message: String(cString: mysql_error(mysql))))
        }
        guard let result = mysql_store_result(mysql) else {
            let code = mysql_errno(mysql)
            return code == 0 ? .success([]) : .failure(QueryFailure(code: code, message: String(cString: mysql_error(mysql))))
        }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        guard let fields = mysql_fetch_fields(result) else { return .success([]) }
        let names = (0..<columns).map { String(cString: fields[$0].name) }
        var rows: [[String: String]] = []
        while let row = mysql_fetch_row(result) {
            var named: [String: String] = [:]
            for column in 0..<columns { if let cell = row[column] { named[names[column]] = String(cString: cell) } }
            rows.append(named)
        }
        return .success(rows)
    }

    /// Binary and without PAD SPACE where the server has one (see MySQLDialect.collation).
    private static func collation(for mysql: UnsafeMutablePointer<MYSQL>) -> String {
        let info = mysql_get_server_info(mysql).map { String(cString: $0) } ?? ""
        let version = Int(mysql_get_server_version(mysql))
        if info.contains("MariaDB") { return version >= 100_200 ? "utf8mb4_nopad_bin" : "utf8mb4_bin" }
        return version >= 80_000 ? "utf8mb4_0900_bin" : "utf8mb4_bin"
    }

    /// Opens the connection again after the server went away. Whatever the old one had not
    /// committed, the server rolled back.
    func reconnect(after lost: FabricError) throws(FabricError) {
        let fresh: UnsafeMutablePointer<MYSQL>
        do {
            (fresh, usedHost) = try MySQLDatabase.connect(target, password: password, optionFile: optionFile, createDatabase: false)
        } catch {
            let prefix = "cannot connect to store \(location): "
            let reason = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
            throw FabricError.store("\(lost.message); connecting again failed: \(reason)")
        }
        mysql_close(handle)
        handle = fresh
        generation += 1
    }

    // MARK: failures

    /// Records and returns the failure the connection reports, naming the statement.
    func failure(code: UInt32, message: String, sql: String?) -> FabricError {
        var text = "store \(location): \(message) (MySQL error \(code))"
        if let sql { text += " in: \(MySQLDatabase.abbreviated(sql))" }
        let error = FabricError.store(text, hint: MySQLDatabase.hint(for: code))
        lastFailure = (code, error)
        return error
    }

    func connectionFailure(sql: String?) -> FabricError {
        failure(code: mysql_errno(handle), message: String(cString: mysql_error(handle)), sql: sql)
    }

    private static func hint(for code: UInt32) -> String? {
        switch code {
        case deadlock, lockWaitTimeout: "another command held the store too long; run it again"
        case serverGone, serverLost, 2002, 2003, 2005: "is the server running? see: fabric-store path"
        case 1044, 1045, 1142: "check the store's user and password ($FABRIC_STORE_PASSWORD, --store-password-file, ~/.my.cnf)"
        case unknownDatabase: "check the URL's database name; only a command that writes creates it (fabric provider register)"
        case notEncrypted: "give the server a certificate (ssl_cert, ssl_key), or name a server that has one"
        default: nil
        }
    }

    /// The statement for a message: on one line, its VALUES marks left out.
    static func abbreviated(_ sql: String) -> String {
        var flat = sql.split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
        if let values = flat.firstRange(of: " VALUES (") { flat = String(flat[..<values.lowerBound]) + " VALUES ..." }
        return flat.count > 200 ? String(flat.prefix(200)) + "..." : flat
    }

    func isConnectionLost(_ error: FabricError) -> Bool {
        guard let lastFailure, lastFailure.error.description == error.description else { return false }
        return lastFailure.code == MySQLDatabase.serverGone || lastFailure.code == MySQLDatabase.serverLost
    }

    private func isRetryable(_ error: FabricError) -> Bool {
        guard let lastFailure, lastFailure.error.description == error.description else { return false }
        return lastFailure.code == MySQLDatabase.deadlock || lastFailure.code == MySQLDatabase.lockWaitTimeout
    }

    // MARK: statements

    /// One statement over the text protocol; a result it returns is read and dropped.
    public func execute(_ sql: String) throws(FabricError) {
        try withReconnect(isRead: false) { () throws(FabricError) in try send(sql) }
    }

    private func send(_ sql: String) throws(FabricError) {
        if mysql_real_query(handle, sql, UInt(sql.utf8.count)) != 0 { throw connectionFailure(sql: sql) }
        if let result = mysql_store_result(handle) { mysql_free_result(result) }
    }

    public func prepare(_ sql: String) throws(FabricError) -> any Statement {
        try MySQLStatement(sql, database: self)
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> Int {
        let statement = try MySQLStatement(sql, database: self)
        try statement.bind(values)
        while try statement.step() {}
        return statement.affectedRows
    }

    public func rows(_ sql: String, _ values: [SQLValue?]) throws(FabricError) -> [Row] {
        let statement = try MySQLStatement(sql, database: self)
        try statement.bind(values)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Runs `body`; if the connection was lost before anything could have been written (a read,
    /// or a statement the server never received: 2006, the connection was already gone),
    /// connects again and runs it once more. In a transaction, transaction() decides instead.
    func withReconnect<T>(isRead: Bool, _ body: () throws(FabricError) -> T) throws(FabricError) -> T {
        do {
            return try body()
        } catch {
            guard !inTransaction, isConnectionLost(error) else { throw error }
            guard isRead || lastFailure?.code == MySQLDatabase.serverGone else {
                throw FabricError.store("\(error.message); the change may or may not have been stored",
                                        hint: "check with fabric-store list, then run the command again")
            }
            try reconnect(after: error)
            return try body()
        }
    }

    // MARK: transactions

    public func transaction<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T {
        var attempt = 1
        var reconnected = false
        var delays = Backoff(first: 0.02, factor: 2, cap: 1, jitter: 0.5)
        while true {
            var committing = false
            do {
                inTransaction = true
                defer { inTransaction = false }
                lastFailure = nil
                try send("START TRANSACTION")
                // The write lock, as SQLite's BEGIN IMMEDIATE (see the type's comment).
                try send("UPDATE fabric_schema SET writes = writes + 1")
                let result = try body()
                committing = true
                try send("COMMIT")
                return result
            } catch {
                if isConnectionLost(error) {
                    if committing {
                        throw FabricError.store("\(error.message) while committing: the change may or may not have been stored",
                                                hint: "check with fabric-store list, then run the command again")
                    }
                    // The server rolled back what the lost connection had not committed.
                    guard !reconnected else { throw error }
                    reconnected = true
                    do {
                        try reconnect(after: error)
                    } catch let failed {
                        throw FabricError.store("\(failed.message); nothing of this command's change was stored",
                                                hint: "is the server running? see: fabric-store path")
                    }
                    continue
                }
                let retry = isRetryable(error) && attempt < MySQLDatabase.transactionAttempts
                _ = mysql_real_query(handle, "ROLLBACK", 8)
                guard retry else { throw error }
                sleep(seconds: delays.next())
                try Interruption.check()
                attempt += 1
            }
        }
    }

    public func snapshot<T>(_ body: () throws(FabricError) -> T) throws(FabricError) -> T {
        try withReconnect(isRead: true) { () throws(FabricError) in try send("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY") }
        inTransaction = true
        defer {
            inTransaction = false
            _ = mysql_real_query(handle, "COMMIT", 6)
        }
        return try body()
    }

    // MARK: schema

    public func schemaVersion() throws(FabricError) -> Int {
        do {
            return try rows("SELECT version FROM fabric_schema").first?.integer(0) ?? 0
        } catch {
            if lastFailure?.code == MySQLDatabase.noSuchTable { return 0 }
            throw error
        }
    }

    /// MySQL's DDL commits as it goes, so migrations run under a named lock (one process at a
    /// time per database), each recorded as soon as it is done.
    public func migrate(_ migrations: [[String]]) throws(FabricError) {
        let lock = "fabric:" + String(target.database.prefix(57))
        let granted = try rows("SELECT GET_LOCK(?, 60)", [.text(lock)]).first?.integer(0)
        guard granted == 1 else {
            throw FabricError.store("store \(location): another process has been upgrading the schema for 60 s",
                                    hint: "run the command again")
        }
        defer { _ = try? rows("SELECT RELEASE_LOCK(?)", [.text(lock)]) }
        try execute("""
            CREATE TABLE IF NOT EXISTS fabric_schema (
                id INT NOT NULL PRIMARY KEY, version INT NOT NULL, writes BIGINT NOT NULL
            ) ENGINE=InnoDB
            """)
        try run("INSERT IGNORE INTO fabric_schema (id, version, writes) VALUES (1, 0, 0)")
        let version = try schemaVersion()
        for (index, statements) in migrations.enumerated() where index >= version {
            for statement in statements { try execute(statement) }
            try run("UPDATE fabric_schema SET version = ?", [.integer(index + 1)])
        }
    }
}
