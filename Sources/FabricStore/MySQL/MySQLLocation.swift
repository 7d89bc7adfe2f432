import FabricRecords

/// A shared store on a MySQL or MariaDB server, as `--store` or $FABRIC_STORE names it:
/// `mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE]`.
/// Several hosts name the nodes of one replicated database (Galera, InnoDB Cluster): the store
/// connects to the first that answers, in the order given. The URL never
/// holds the password (it would show in argv, ps and shell history): that comes from
/// --store-password-file, $FABRIC_STORE_PASSWORD or the user's option file (~/.my.cnf).
/// One server of a store's host list.
public struct MySQLHost: Equatable, Sendable {
    public var name: String
    public var port: UInt32?

    /// HOST[:PORT] as the URL spells it: an IPv6 address in brackets.
    public var address: String {
        let host = name.contains(":") ? "[\(name)]" : name
        return port.map { "\(host):\($0)" } ?? host
    }
}

public struct MySQLLocation: Equatable {
    public static let scheme = "mysql://"

    public var user: String
    /// The servers to try, in order; empty when only ?socket= names the server.
    public var hosts: [MySQLHost]
    public var database: String
    public var socket: String?
    /// Encrypt the connection, and fail if the server cannot.
    public var sslRequired = false
    /// Verify the server's certificate against this CA file (implies ssl=required).
    public var sslCA: String?

    public static func isMySQL(_ location: String) -> Bool { location.hasPrefix(scheme) }

    public init(_ url: String) throws(FabricError) {
        guard url.hasPrefix(MySQLLocation.scheme) else {
            throw FabricError.usage("a MySQL store is named mysql://USER@HOST[:PORT]/DATABASE")
        }
        let rest = url.dropFirst(MySQLLocation.scheme.count)
        let (address, query) = MySQLLocation.split(rest, at: "?")
        let (authority, path) = MySQLLocation.split(address, at: "/")
        guard let at = authority.lastIndex(of: "@") else {
            throw FabricError.usage("the store URL names no user: use mysql://USER@HOST[:PORT]/DATABASE")
        }
        user = try MySQLLocation.user(authority[..<at])
        hosts = try MySQLLocation.hostList(authority[authority.index(after: at)...])
        database = try MySQLLocation.databaseName(path ?? "")
        try readOptions(query ?? "")
        if hosts.isEmpty && socket == nil {
            throw FabricError.usage("the store URL names no host: use mysql://USER@HOST[:PORT]/DATABASE or ?socket=PATH")
        }
        if hosts.count > 1 && socket != nil {
            throw FabricError.usage("the store URL's socket names one local server; it cannot go with a list of hosts")
        }
    }

    /// HOST[:PORT][,HOST[:PORT]...]; nothing at all when only the socket names the server.
    private static func hostList(_ text: Substring) throws(FabricError) -> [MySQLHost] {
        if text.isEmpty { return [] }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
        var hosts: [MySQLHost] = []
        for entry in entries {
            let (name, port) = try hostAndPort(entry)
            if name.isEmpty {
                throw FabricError.usage("the store URL's host list \(quoted(String(text))) has an empty host: use HOST[:PORT],HOST[:PORT]")
            }
            let host = MySQLHost(name: name, port: port)
            if hosts.contains(host) {
                throw FabricError.usage("the store URL names the host \(quoted(host.address)) twice")
            }
            hosts.append(host)
        }
        return hosts
    }

    private static func user(_ userInfo: Substring) throws(FabricError) -> String {
        // Checked before anything else is read, and never quoted back: it holds a secret.
        if userInfo.contains(":") {
            throw FabricError.usage("the store URL must not hold a password (it would show in argv and ps)",
                                    hint: "give it with $FABRIC_STORE_PASSWORD, --store-password-file FILE or ~/.my.cnf")
        }
        let user = try decode(userInfo, "user")
        guard !user.isEmpty else { throw FabricError.usage("the store URL names no user: use mysql://USER@HOST[:PORT]/DATABASE") }
        return user
    }

    /// HOST[:PORT], the host in brackets when it is an IPv6 address.
    private static func hostAndPort(_ hostPort: Substring) throws(FabricError) -> (String, UInt32?) {
        var hostPart = hostPort[...]
        var portPart: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw FabricError.usage("the store URL's host \(quoted(String(hostPort))) lacks its closing ]")
            }
            hostPart = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw FabricError.usage("the store URL's host \(quoted(String(hostPort))) is not HOST[:PORT]")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostPart = hostPort[..<colon]
            portPart = hostPort[hostPort.index(after: colon)...]
        }
        let host = try decode(hostPart, "host")
        guard let portPart else { return (host, nil) }
        guard let number = UInt32(portPart), (1...65535).contains(number) else {
            throw FabricError.usage("the store URL's port \(quoted(String(portPart))) is not a number from 1 to 65535")
        }
        return (host, number)
    }

    private static func databaseName(_ path: Substring) throws(FabricError) -> String {
        let database = try decode(path, "database")
        if database.isEmpty {
            throw FabricError.usage("the store URL names no database: use mysql://USER@HOST[:PORT]/DATABASE")
        }
        if database.unicodeScalars.count > 64 || database.contains("/") {
            throw FabricError.usage("the store URL's database \(quoted(database)) is not a MySQL database name (at most 64 characters, no /)")
        }
        return database
    }

    /// The options after `?`: socket, ssl and ssl_ca.
    private mutating func readOptions(_ query: Substring) throws(FabricError) {
        for pair in query.split(separator: "&") {
            let (key, value) = MySQLLocation.split(pair, at: "=")
            let text = try MySQLLocation.decode(value ?? "", String(key))
            switch key {
            case "socket":
                guard text.hasPrefix("/") else { throw FabricError.usage("the store URL's socket must be an absolute path") }
                socket = text
            case "ssl":
                guard text == "required" else {
                    throw FabricError.usage("the store URL's ssl=\(text) is not known (use ssl=required, or ssl_ca=FILE to verify the server)")
                }
                sslRequired = true
            case "ssl_ca":
                guard !text.isEmpty else { throw FabricError.usage("the store URL's ssl_ca needs a file") }
                guard fileExists(text) else { throw FabricError.usage("the store URL's ssl_ca file \(quoted(text)) does not exist") }
                sslCA = text
                sslRequired = true
            default:
                throw FabricError.usage("the store URL's option \(quoted(String(key))) is not known (options: socket, ssl, ssl_ca)")
            }
        }
    }

    /// The URL back, as the user wrote it in substance: for messages and `fabric-store path`.
    public var url: String {
        var text = MySQLLocation.scheme + user + "@" + hosts.map(\.address).joined(separator: ",")
        text += "/" + database
        var options: [String] = []
        if let socket { options.append("socket=" + socket) }
        if let sslCA { options.append("ssl_ca=" + sslCA) } else if sslRequired { options.append("ssl=required") }
        return options.isEmpty ? text : text + "?" + options.joined(separator: "&")
    }

    private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// Percent-decoding, so a socket path or database name can hold any byte.
    private static func decode(_ text: Substring, _ part: String) throws(FabricError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw FabricError.usage("the store URL's \(part) has a % that is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self), !decoded.utf8.contains(0) else {
            throw FabricError.usage("the store URL's \(part) is not valid UTF-8 text")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
