import CMariaDB
import FabricRecords

/// What a MySQL or MariaDB server says first on a new connection, read by the `mysql` stage of
/// a wait without logging in: its handshake (protocol 10 and its version), or an error packet
/// (too many connections, host not allowed) while it is not ready for us.
public enum MySQLGreeting: Equatable, Sendable {
    case handshake(serverVersion: String)
    case refused(code: Int, message: String)
    case notMySQL

    /// A packet is 3 bytes of length (little-endian), a sequence number, then the payload.
    public static func frameLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return 4 + (Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16)
    }

    /// The most of a greeting read: a handshake is ~100 bytes; anything longer is not one.
    public static let limit = 1024

    public init(_ bytes: [UInt8]) {
        guard let length = MySQLGreeting.frameLength(bytes), bytes.count >= min(length, MySQLGreeting.limit), length > 4 else {
            self = .notMySQL
            return
        }
        let payload = bytes[4..<min(length, bytes.count)]
        switch payload.first {
        case 10:
            let version = payload.dropFirst().prefix { $0 != 0 }
            guard version.count < payload.count - 1, version.allSatisfy({ (0x20..<0x7F).contains($0) }) else {
                self = .notMySQL
                return
            }
            self = .handshake(serverVersion: String(decoding: version, as: UTF8.self))
        case 0xFF where payload.count >= 3:
            let code = Int(payload[payload.startIndex + 1]) | Int(payload[payload.startIndex + 2]) << 8
            let text = payload.dropFirst(3).map { (0x20..<0x7F).contains($0) ? Character(Unicode.Scalar($0)) : "?" }
            self = .refused(code: code, message: String(text))
        default:
            self = .notMySQL
        }
    }
}

/// A login to a machine's MySQL server and `SELECT 1`, through MariaDB Connector/C (loaded on
/// first use, as the mysql:// store loads it): the check that counts, as a server can answer its
/// handshake while its initialisation still runs. The password is handed to mysql_real_connect
/// only; no message holds it.
public struct MySQLLogin: Sendable {
    public var user: String
    public var password: String?
    public var requireTLS: Bool
    /// Seconds for the connect and for each read and write.
    public var timeout: Int

    public init(user: String, password: String?, requireTLS: Bool = false, timeout: Int = 5) {
        self.user = user
        self.password = password
        self.requireTLS = requireTLS
        self.timeout = max(1, timeout)
    }

    public enum Outcome: Equatable, Sendable {
        /// Logged in and `SELECT 1` answered 1; the server's version.
        case ready(serverVersion: String)
        /// The server answered and refused the login (wrong password, unknown user): waiting
        /// longer will not help.
        case denied(String)
        /// Not ready yet (cannot connect, still starting): worth another round.
        case notYet(String)
    }

    /// Server errors that no amount of waiting mends: access denied, unknown user or plugin.
    private static let final: Set<UInt32> = [1044, 1045, 1251, 1524, 1698, 2059]

    public func check(address: String, port: Int) -> Outcome {
        if let error = fabric_mariadb_load_error() { return .denied("MariaDB Connector/C: \(String(cString: error))") }
        guard let mysql = mysql_init(nil) else { return .notYet("out of memory") }
        defer { mysql_close(mysql) }
        configure(mysql)
        guard mysql_real_connect(mysql, address, user, password, nil, UInt32(port), nil, 0) != nil else {
            return failure(mysql)
        }
        // Connector/C may log in without TLS although it was told to enforce it (a server with
        // none): what counts is the session that resulted, so one without a cipher is refused.
        if requireTLS, mysql_get_ssl_cipher(mysql) == nil {
            return .denied("TLS was asked for (--mysql-tls) but the session with \(address):\(port) is not encrypted: "
                           + "the server offers no TLS")
        }
        let query = "SELECT 1"
        guard mysql_real_query(mysql, query, UInt(query.utf8.count)) == 0, let result = mysql_store_result(mysql) else {
            return failure(mysql)
        }
        defer { mysql_free_result(result) }
        guard let row = mysql_fetch_row(result), let cell = row[0], String(cString: cell) == "1" else {
            return .notYet("SELECT 1 did not answer 1")
        }
        return .ready(serverVersion: mysql_get_server_info(mysql).map { String(cString: $0) } ?? "")
    }

    /// Timeouts, TLS as asked, and TCP to the address given, never a local socket in its place.
    func configure(_ mysql: UnsafeMutablePointer<MYSQL>) {
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_CONNECT_TIMEOUT, UInt32(timeout))
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_READ_TIMEOUT, UInt32(timeout))
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_WRITE_TIMEOUT, UInt32(timeout))
        if requireTLS { _ = fabric_mysql_set_bool(mysql, MYSQL_OPT_SSL_ENFORCE, 1) }
        _ = fabric_mysql_set_uint(mysql, MYSQL_OPT_PROTOCOL, UInt32(MYSQL_PROTOCOL_TCP.rawValue))
    }

    private func failure(_ mysql: UnsafeMutablePointer<MYSQL>) -> Outcome {
        let code = mysql_errno(mysql)
        let message = "\(String(cString: mysql_error(mysql))) (MySQL error \(code))"
        return MySQLLogin.final.contains(code) ? .denied(message) : .notYet(message)
    }
}
