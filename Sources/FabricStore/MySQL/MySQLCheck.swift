import CMariaDB
import FabricRecords

extension MySQLDatabase {
    /// What `fabric-store check` says of a mysql:// store: each host of the URL (whether it
    /// answers, its version, and on Galera the node's view of its cluster), the host the store
    /// would use (the first that answers and is ready, as a command connects) and the schema
    /// version there. Nothing is created: a store whose database (or schema table) is not there
    /// is reported missing. Healthy: a host can be used and its schema is one this fabric reads.
    static func check(_ target: MySQLLocation, password: String?, optionFile: String?) throws(FabricError) -> StoreCheck {
        if let error = fabric_mariadb_load_error() {
            throw FabricError.store("store \(target.url): \(String(cString: error))")
        }
        let record = JSON.object()
        record["kind"] = JSON("store_check")
        record["store"] = JSON(target.url)
        record["backend"] = JSON("mysql")
        var hosts: [JSON] = []
        for host in target.hosts.isEmpty ? [nil] : target.hosts.map(Optional.some) {
            hosts.append(try probe(target, host: host, password: password, optionFile: optionFile))
        }
        record["hosts"] = JSON.array(hosts)
        let used: (UnsafeMutablePointer<MYSQL>, MySQLHost?)
        do {
            used = try connect(target, password: password, optionFile: optionFile, createDatabase: false, useDatabase: false)
        } catch {
            record["used"] = JSON.null
            record["healthy"] = JSON(false)
            return StoreCheck(record: record, problem: error)
        }
        defer { mysql_close(used.0) }
        record["used"] = JSON(used.1?.address ?? target.socket ?? "")
        // The session setting reads go by, as a command's connection has it.
        if case .success(_?) = galeraState(used.0), case .success(let rows) = textRows(used.0, "SELECT @@session.wsrep_sync_wait"),
           let number = (rows.first?.first ?? nil).flatMap({ Int($0) }) {
            record["wsrep_sync_wait"] = JSON(number)
        }
        let table = "`\(target.database.replacingEvery("`", with: "``"))`.fabric_schema"
        switch textRows(used.0, "SELECT version FROM \(table)") {
        case .success(let rows):
            let version = (rows.first?.first ?? nil).flatMap { Int($0) } ?? 0
            record["schema_version"] = JSON(version)
            if version > Schema.version {
                record["healthy"] = JSON(false)
                return StoreCheck(record: record, problem: FabricError.store(
                    "store \(target.url) has schema version \(version), newer than this fabric (\(Schema.version))", hint: "upgrade fabric"))
            }
        case .failure(let failure) where failure.code == unknownDatabase || failure.code == noSuchTable:
            // No store there: as for a SQLite file that is missing, a check does not call a
            // mistyped database a healthy new store.
            record["schema_version"] = JSON(0)
            record["exists"] = JSON(false)
            record["healthy"] = JSON(false)
            return StoreCheck(record: record, problem: StoreLocation.missing(target.url))
        case .failure(let failure):
            record["healthy"] = JSON(false)
            return StoreCheck(record: record, problem: FabricError.store(
                "store \(target.url): \(failure.message) (MySQL error \(failure.code)) in: SELECT version FROM \(table)"))
        }
        record["healthy"] = JSON(true)
        return StoreCheck(record: record, problem: nil)
    }

    /// One host on a connection of its own, ready or not.
    private static func probe(_ target: MySQLLocation, host: MySQLHost?, password: String?, optionFile: String?) throws(FabricError) -> JSON {
        let record = JSON.object()
        record["address"] = JSON(host?.address ?? target.socket ?? "")
        let mysql: UnsafeMutablePointer<MYSQL>
        switch try open(target, host: host, password: password, optionFile: optionFile, database: nil, prepared: false) {
        case .failure(let code, let message):
            record["answers"] = JSON(false)
            record["error"] = JSON("\(message) (MySQL error \(code))")
            return record
        case .success(let handle):
            mysql = handle
        }
        defer { mysql_close(mysql) }
        record["answers"] = JSON(true)
        record["version"] = JSON(mysql_get_server_info(mysql).map { String(cString: $0) } ?? "")
        switch galeraState(mysql) {
        case .success(let state?):
            record["wsrep_cluster_size"] = state.clusterSize.map { JSON($0) } ?? JSON.null
            record["wsrep_cluster_status"] = state.clusterStatus.map { JSON($0) } ?? JSON.null
            record["wsrep_local_state_comment"] = state.localState.map { JSON($0) } ?? JSON.null
            record["wsrep_ready"] = JSON(state.wsrepReady)
        case .success(nil):
            break
        case .failure(let failure):
            record["error"] = JSON("\(failure.message) (MySQL error \(failure.code))")
        }
        return record
    }
}
