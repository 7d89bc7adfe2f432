import ArgumentParser
import FabricProviders
import FabricRecords
import FabricStore
import Glibc

/// `--mysql-user NAME`, `--mysql-password-file FILE`, `--mysql-tls`: how fabric logs in to a
/// machine's server, for the mysql stage and the group stages of a wait, and for the roles a
/// scale, a list or a destroy reads. The password comes from the file or $FABRIC_MYSQL_PASSWORD,
/// never from the command line.
public struct MySQLLoginOptions: ParsableArguments {
    @Option(name: .customLong("mysql-user"), help: ArgumentHelp(
        "Log in to each machine's MySQL as this user; the password from --mysql-password-file or $FABRIC_MYSQL_PASSWORD, never the command line.",
        valueName: "name"))
    public var mysqlUser: String?

    @Option(name: .customLong("mysql-password-file"), help: ArgumentHelp("The MySQL password: this file's first line (/dev/fd/N works).", valueName: "file"),
            completion: .file())
    public var mysqlPasswordFile: String?

    @Flag(name: .customLong("mysql-tls"), help: "Refuse a MySQL login without TLS.")
    public var mysqlTLS = false

    public init() {}

    /// The login the options describe, checked; the password is read only when asked (a
    /// /dev/fd/N file can be read once), so a check reads nothing.
    public func login(readingPassword: Bool, timeout: Double) throws(FabricError) -> MySQLLogin? {
        guard let mysqlUser else {
            if mysqlPasswordFile != nil || mysqlTLS {
                throw FabricError.usage("--mysql-password-file and --mysql-tls go with --mysql-user")
            }
            return nil
        }
        guard !mysqlUser.isEmpty else { throw FabricError.usage("--mysql-user needs a value; it was given an empty one") }
        if let mysqlPasswordFile, access(mysqlPasswordFile, R_OK) != 0 {
            throw FabricError.usage("--mysql-password-file \(quoted(mysqlPasswordFile)): \(String(cString: strerror(errno)))")
        }
        // An empty password is a choice to state (--mysql-password-file /dev/null), never
        // what a forgotten one turns into.
        if mysqlPasswordFile == nil, environment("FABRIC_MYSQL_PASSWORD") == nil {
            throw FabricError.usage("--mysql-user \(quoted(mysqlUser)) needs a password: --mysql-password-file FILE or "
                                    + "$FABRIC_MYSQL_PASSWORD (an empty one: --mysql-password-file /dev/null)")
        }
        let password: String? = if !readingPassword { nil }
            else if let mysqlPasswordFile { try readFirstLine(mysqlPasswordFile) }
            else { environment("FABRIC_MYSQL_PASSWORD") }
        return MySQLLogin(user: mysqlUser, password: password, requireTLS: mysqlTLS, timeout: max(1, Int(timeout.rounded(.up))))
    }
}

/// The roles of a group's members, each read from its own server (MySQLMember): what a scale
/// keeps (the primary, a Galera majority), what `--refresh` records, what a hook is told.
public struct MemberRoles {
    public let login: MySQLLogin
    public let port: Int
    public let address: AddressChoice

    public init(login: MySQLLogin, port: Int, address: AddressChoice) {
        self.login = login
        self.port = port
        self.address = address
    }

    /// Each machine's state by UUID; a machine that does not answer (or has no real address)
    /// is left out: its role is unknown.
    public func read(_ machines: [Machine], provider: any Provider) -> [String: (address: String, member: MySQLMember)] {
        var found: [String: (address: String, member: MySQLMember)] = [:]
        for machine in machines where !machine.isGone && !machine.isFailed {
            guard case .address(let address) = provider.reach(machine, port: port, address: self.address),
                  case .success(let member) = login.member(address: address, port: port) else { continue }
            found[machine.uuid] = (address, member)
        }
        return found
    }

    /// The primary among them: the oldest member that is writable and replicates from none.
    public static func primary(of machines: [Machine], in roles: [String: (address: String, member: MySQLMember)]) -> Machine? {
        machines.filter { roles[$0.uuid]?.member.role == .primary }
            .min { ($0.created ?? "", $0.name) < ($1.created ?? "", $1.name) }
    }
}
