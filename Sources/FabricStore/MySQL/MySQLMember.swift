import CMariaDB
import FabricRecords

/// What a member of a MySQL group is, as its own server says: the primary (writable, not a
/// replica), a replica (with its replication threads, errors and lag), a Galera node (with its
/// state), or unknown (it does not answer, or is neither). Read over one login of the mysql
/// stage's user; the `replica` and `synced` stages, the roles of `machine list --refresh` and
/// of a scale's plan all come from here.
public struct MySQLMember: Sendable {
    public enum Role: String, Sendable {
        case primary, replica, galera, unknown
    }

    /// SHOW SLAVE STATUS, for a server that replicates.
    public struct Replication: Sendable {
        public var masterHost: String
        public var masterPort: Int
        public var ioRunning: String
        public var sqlRunning: String
        public var secondsBehind: Int?
        public var ioError: String?
        public var sqlError: String?

        public var running: Bool { ioRunning == "Yes" && sqlRunning == "Yes" }

        /// An error replication stops at, which no waiting mends: the SQL thread's, or the I/O
        /// thread's once it has given up (while it says Connecting, it tries again).
        public var failure: String? {
            if let sqlError { return sqlError }
            if let ioError, ioRunning == "No" { return ioError }
            return nil
        }
    }

    public struct Galera: Sendable {
        public var clusterStatus: String?
        public var localState: String?
        public var clusterSize: Int?

        public var synced: Bool { localState == "Synced" && clusterStatus == "Primary" }
    }

    /// Why a member's state could not be read: it does not answer, or refused the login.
    public struct Unread: Error, Sendable {
        public let why: String
    }

    public var readOnly: Bool
    public var replication: Replication?
    public var galera: Galera?
    /// @@gtid_binlog_pos: what this server has written (a primary's position, for its replicas).
    public var binlogPosition: GTIDPosition
    /// @@gtid_current_pos: what it has applied, its own and its primary's.
    public var currentPosition: GTIDPosition

    public var role: Role {
        if galera != nil { return .galera }
        if replication != nil { return .replica }
        return readOnly ? .unknown : .primary
    }

    /// The record's fields: role, and a replica's lag or a Galera node's state.
    public func describe(into record: JSON) {
        record["role"] = JSON(role.rawValue)
        record["lag"] = nil
        record["galera_state"] = nil
        if let replication { record["lag"] = replication.secondsBehind.map { JSON($0) } ?? JSON.null }
        if let galera { record["galera_state"] = galera.localState.map { JSON($0) } ?? JSON.null }
    }
}

/// A MariaDB GTID position (`0-1-42,1-2-7`): per replication domain, the last sequence number.
public struct GTIDPosition: Equatable, Sendable, CustomStringConvertible {
    public var sequences: [UInt32: UInt64]
    public let description: String

    public init(_ text: String) {
        description = text
        var sequences: [UInt32: UInt64] = [:]
        for part in text.split(separator: ",") {
            let fields = String(part).trimmingSpaces.split(separator: "-")
            guard fields.count == 3, let domain = UInt32(fields[0]), let sequence = UInt64(fields[2]) else { continue }
            sequences[domain] = max(sequences[domain] ?? 0, sequence)
        }
        self.sequences = sequences
    }

    /// Whether every transaction `other` names is in this position.
    public func includes(_ other: GTIDPosition) -> Bool {
        other.sequences.allSatisfy { domain, sequence in (sequences[domain] ?? 0) >= sequence }
    }
}

extension MySQLLogin {
    /// The member's state, or why it could not be read.
    public func member(address: String, port: Int) -> Result<MySQLMember, MySQLMember.Unread> {
        withSession(address: address, port: port) { (mysql) -> Result<MySQLMember, MySQLMember.Unread> in
            func rows(_ sql: String) -> Result<[[String: String]], MySQLMember.Unread> {
                switch MySQLDatabase.namedRows(mysql, sql) {
                case .success(let rows): .success(rows)
                case .failure(let failure): .failure(.init(why: "\(failure.message) (MySQL error \(failure.code)) in: \(sql)"))
                }
            }
            let variables: [String: String]
            switch rows("SELECT @@read_only AS read_only, @@gtid_binlog_pos AS binlog, @@gtid_current_pos AS current") {
            case .success(let found): variables = found.first ?? [:]
            case .failure(let why): return .failure(why)
            }
            var member = MySQLMember(readOnly: variables["read_only"] == "1", replication: nil, galera: nil,
                                     binlogPosition: GTIDPosition(variables["binlog"] ?? ""),
                                     currentPosition: GTIDPosition(variables["current"] ?? ""))
            switch rows("SHOW SLAVE STATUS") {
            case .success(let status):
                if let row = status.first {
                    let error = { (code: String, text: String) -> String? in
                        (row[code].flatMap { Int($0) } ?? 0) == 0 ? nil : "\(row[text] ?? "") (error \(row[code]!))"
                    }
                    member.replication = MySQLMember.Replication(
                        masterHost: row["Master_Host"] ?? "", masterPort: row["Master_Port"].flatMap { Int($0) } ?? 0,
                        ioRunning: row["Slave_IO_Running"] ?? "No", sqlRunning: row["Slave_SQL_Running"] ?? "No",
                        secondsBehind: row["Seconds_Behind_Master"].flatMap { Int($0) },
                        ioError: error("Last_IO_Errno", "Last_IO_Error"), sqlError: error("Last_SQL_Errno", "Last_SQL_Error"))
                }
            case .failure(let why): return .failure(why)
            }
            if case .success(let state?) = MySQLDatabase.galeraState(mysql) {
                member.galera = MySQLMember.Galera(clusterStatus: state.clusterStatus, localState: state.localState,
                                                   clusterSize: state.clusterSize)
            }
            return .success(member)
        }
    }

    /// Runs `body` on a session logged in as this user, TCP to the address given.
    func withSession<T>(address: String, port: Int, _ body: (UnsafeMutablePointer<MYSQL>) -> Result<T, MySQLMember.Unread>) -> Result<T, MySQLMember.Unread> {
        if let error = fabric_mariadb_load_error() { return .failure(.init(why: "MariaDB Connector/C: \(String(cString: error))")) }
        guard let mysql = mysql_init(nil) else { return .failure(.init(why: "out of memory")) }
        defer { mysql_close(mysql) }
        configure(mysql)
        guard mysql_real_connect(mysql, address, user, password, nil, UInt32(port), nil, 0) != nil else {
            return .failure(.init(why: "\(address):\(port): \(String(cString: mysql_error(mysql))) (MySQL error \(mysql_errno(mysql)))"))
        }
        if requireTLS, mysql_get_ssl_cipher(mysql) == nil {
            return .failure(.init(why: "TLS was asked for (--mysql-tls) but the session with \(address):\(port) is not encrypted"))
        }
        return body(mysql)
    }
}
