import FabricRecords
import Glibc

/// A command run for one machine at a point of its life: `on_ready` once its own stages pass
/// (before the group's stages and before it counts), `before_destroy` before it is destroyed.
/// The machine's record is its standard input, as one JSON line; its output goes to standard
/// error (standard output carries records); its environment is fabric's with FABRIC_HOOK,
/// FABRIC_GROUP, FABRIC_ROLE, FABRIC_MACHINE_UUID, FABRIC_MACHINE_ADDRESS,
/// FABRIC_PRIMARY_ADDRESS, FABRIC_MYSQL_PORT, and with MySQL credentials FABRIC_MYSQL_USER and
/// FABRIC_MYSQL_PASSWORD (the password never in an argument). It runs in a process group of
/// its own, which a timeout ends (SIGTERM, then SIGKILL).
///
/// The command is a shell command line, or a bare NAME of a recipe fabric ships
/// (`mariadb-replica`), found in $FABRIC_RECIPES, next to the executable (installed:
/// LIBEXECDIR/fabric/recipes) or in the checkout's packaging/recipes.
public struct Hook: Sendable {
    public enum Point: String, Sendable {
        case onReady = "on_ready", beforeDestroy = "before_destroy", switchover

        public var option: String {
            switch self {
            case .onReady: "--on-ready"
            case .beforeDestroy: "--before-destroy"
            case .switchover: "--switchover"
            }
        }
    }

    public let point: Point
    public let command: String
    public let timeout: Double
    /// The recipe's path when the command names one.
    public let recipe: String?

    public static let defaultTimeout = 600.0

    /// Checked as the option is read: an empty command, or a bare name that is neither a
    /// recipe nor a command on PATH, is a usage error, before anything is made.
    public init(_ point: Point, command: String, timeout: Double) throws(FabricError) {
        guard !command.trimmingSpaces.isEmpty else { throw FabricError.usage("\(point.option) needs a command; it was given an empty one") }
        guard timeout > 0, timeout <= 86_400 else { throw FabricError.usage("--hook-timeout must be from 0 to 86400 seconds") }
        self.point = point
        self.command = command
        self.timeout = timeout
        recipe = Hook.isBareName(command) ? Hook.recipePath(command) : nil
        if Hook.isBareName(command), recipe == nil, Hook.onPath(command) == nil {
            let known = Hook.recipes()
            throw FabricError.usage("\(point.option) \(quoted(command)): no recipe and no command of that name",
                                    hint: known.isEmpty ? "give a command line" : "the recipes: \(known.joined(separator: ", "))")
        }
    }

    static func isBareName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Where recipes are looked for, in order.
    static func recipeDirectories() -> [String] {
        var directories: [String] = []
        if let given = environment("FABRIC_RECIPES") { directories.append(given) }
        var directory = Spawn.thisExecutable()
        directory = String(directory[..<(directory.lastIndex(of: "/") ?? directory.endIndex)])
        directories.append(directory + "/recipes")
        // A build in a checkout: .build/debug/fabric-tools, or .build/x86_64-.../debug/.
        var up = directory
        for _ in 0..<4 {
            guard let slash = up.lastIndex(of: "/"), slash != up.startIndex else { break }
            up = String(up[..<slash])
            directories.append(up + "/packaging/recipes")
        }
        return directories
    }

    static func recipePath(_ name: String) -> String? {
        recipeDirectories().map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// The recipes fabric can find, by name.
    public static func recipes() -> [String] {
        var names = Set<String>()
        for directory in recipeDirectories() {
            guard let entries = opendir(directory) else { continue }
            while let entry = readdir(entries) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if !name.hasPrefix("."), access("\(directory)/\(name)", X_OK) == 0 { names.insert(name) }
            }
            closedir(entries)
        }
        return names.sorted()
    }

    static func onPath(_ name: String) -> String? {
        (environment("PATH") ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// What the hook is told besides the record.
    public struct Context: Sendable {
        public var group: String
        public var role: String
        public var machineAddress: String
        public var primaryAddress: String?
        public var mysqlPort: Int?
        public var login: MySQLLoginSecret?
        /// More FABRIC_* variables, for a hook that needs them (a switchover's old primary).
        public var extra: [String: String]

        public init(group: String, role: String, machineAddress: String, primaryAddress: String?, mysqlPort: Int?,
                    login: MySQLLoginSecret?, extra: [String: String] = [:]) {
            self.group = group
            self.role = role
            self.machineAddress = machineAddress
            self.primaryAddress = primaryAddress
            self.mysqlPort = mysqlPort
            self.login = login
            self.extra = extra
        }
    }

    /// The MySQL user and password a hook may log in with.
    public struct MySQLLoginSecret: Sendable {
        public var user: String
        public var password: String?

        public init(user: String, password: String?) {
            self.user = user
            self.password = password
        }
    }

    /// Starts the hook for a machine; `Running.poll()` says when it ended. Its standard input
    /// is the record, or the records (a switchover's old and new primary), a JSON line each.
    public func start(record: JSON, uuid: String, context: Context, more: [JSON] = []) throws(FabricError) -> Running {
        let input = try Spawn.temporaryFile()
        defer { close(input) }
        _ = writeFully(input, Array(([record] + more).map { $0.encoded() + "\n" }.joined().utf8))
        lseek(input, 0, SEEK_SET)
        let reserved = ["FABRIC_HOOK", "FABRIC_GROUP", "FABRIC_ROLE", "FABRIC_MACHINE_UUID", "FABRIC_MACHINE_ADDRESS",
                        "FABRIC_PRIMARY_ADDRESS", "FABRIC_MYSQL_PORT", "FABRIC_MYSQL_USER", "FABRIC_MYSQL_PASSWORD"]
        var variables = Spawn.currentEnvironment().filter { variable in !reserved.contains { variable.hasPrefix($0 + "=") } }
        variables += ["FABRIC_HOOK=\(point.rawValue)", "FABRIC_GROUP=\(context.group)", "FABRIC_ROLE=\(context.role)",
                      "FABRIC_MACHINE_UUID=\(uuid)", "FABRIC_MACHINE_ADDRESS=\(context.machineAddress)",
                      "FABRIC_PRIMARY_ADDRESS=\(context.primaryAddress ?? "")"]
        if let port = context.mysqlPort { variables.append("FABRIC_MYSQL_PORT=\(port)") }
        if let login = context.login {
            variables.append("FABRIC_MYSQL_USER=\(login.user)")
            if let password = login.password { variables.append("FABRIC_MYSQL_PASSWORD=\(password)") }
        }
        for (name, value) in context.extra.sorted(by: { $0.key < $1.key }) where name.hasPrefix("FABRIC_") && !reserved.contains(name) {
            variables.removeAll { $0.hasPrefix(name + "=") }
            variables.append("\(name)=\(value)")
        }
        let argv = recipe.map { [$0] } ?? ["/bin/sh", "-c", command]
        let pid = try Spawn.stage(argv[0], argv, stdin: input, stdout: 2, stderr: 2, group: 0, environment: variables)
        return Running(hook: self, pid: pid)
    }

    /// A hook started and not yet reaped.
    public final class Running {
        public let hook: Hook
        public let pid: pid_t
        public let started = monotonicNow()
        public private(set) var status: Int32?

        init(hook: Hook, pid: pid_t) {
            self.hook = hook
            self.pid = pid
        }

        public var seconds: Double { monotonicNow() - started }

        /// The exit status once it ended; past its timeout the group is ended and the status is
        /// nil with `timedOut` true.
        public func poll() -> Int32? {
            if let status { return status }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid {
                status = shellStatus(waitStatus: raw)
                // What it left in its group (a background child) goes with it.
                kill(-pid, SIGTERM)
                return status
            }
            return nil
        }

        public var timedOut: Bool { status == nil && seconds > hook.timeout }

        /// Ends its process group: SIGTERM, a moment, SIGKILL.
        public func end() {
            kill(-pid, SIGTERM)
            let deadline = monotonicNow() + 2
            while poll() == nil && monotonicNow() < deadline { sleep(seconds: 0.02) }
            if status == nil {
                kill(-pid, SIGKILL)
                status = Spawn.exitStatus(of: pid)
            }
        }

        /// Waits for it to end or time out; the status (nil: timed out, and ended).
        public func wait() -> Int32? {
            while poll() == nil {
                if timedOut || Interruption.requested {
                    end()
                    return nil
                }
                sleep(seconds: 0.01)
            }
            return status
        }
    }
}
