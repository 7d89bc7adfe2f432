import Foundation
import Synchronization
import Testing

/// Which store a test runs against: a SQLite file, or a database of its own on the run's private
/// MariaDB server, or on its three-node Galera cluster through a URL naming the three nodes.
/// Tests that must hold on both SQLite and MariaDB take `Backend.allCases` as arguments; the
/// Galera cluster is not among them, as its tests kill nodes: GaleraTests runs the store and
/// concurrency tests on it, one at a time.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, mysql, galera
    static var allCases: [Backend] { [.sqlite, .mysql] }
    var testDescription: String { rawValue }
    /// A database on a server (MariaDB or the Galera cluster): its password and its client.
    var isServer: Bool { self != .sqlite }

    /// The store's password, for the server backends.
    var password: String? {
        switch self {
        case .sqlite: nil
        case .mysql: MySQLTestServer.shared.password
        case .galera: GaleraCluster.shared.password
        }
    }

    /// An option file for the mariadb client as the test user (on the cluster, its first node).
    var clientOptions: String? {
        switch self {
        case .sqlite: nil
        case .mysql: MySQLTestServer.shared.clientOptions
        case .galera: GaleraCluster.shared.clientOptions(node: 1)
        }
    }
}

/// The private MariaDB server of the test run (Tests/MariaDB/server). `make test` starts one for
/// the whole run and passes its settings in FABRIC_TEST_MYSQL_*; when they are missing (a plain
/// `swift test`), the first test that needs it starts one, stopped when the test process exits.
struct MySQLTestServer: Sendable {
    let directory: String
    let socket: String
    let port: String
    let password: String
    /// An option file for the mariadb client as the test user: no password in argv.
    var clientOptions: String { directory + "/client.cnf" }
    var caFile: String { directory + "/tls/ca.pem" }
    static let script = Harness.root.appendingPathComponent("Tests/MariaDB/server").path

    static let shared: MySQLTestServer = {
        let env = ProcessInfo.processInfo.environment
        if let directory = env["FABRIC_TEST_MYSQL_DIR"], let port = env["FABRIC_TEST_MYSQL_PORT"],
           let password = env["FABRIC_TEST_MYSQL_PASSWORD"] {
            return MySQLTestServer(directory: directory, socket: directory + "/mysqld.sock", port: port, password: password)
        }
        return start()
    }()

    /// A second server, without TLS (have_ssl DISABLED), started by the first test that needs
    /// it and kept for the rest of the run: what a client asking for TLS must refuse.
    static let withoutTLS: MySQLTestServer = start(tls: false)

    /// Starts a server of its own in a new directory; an atexit handler stops it, and the
    /// script's watcher does if this process ends without running it.
    private static func start(tls: Bool = true) -> MySQLTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fabric-mariadb-\(UUID().uuidString.prefix(8))").path
        // With our pid, the script stops the server when this process is gone, however it ends.
        let result = Harness().run(script, ["start", directory, String(getpid())], env: ["FABRIC_TEST_MYSQL_TLS": tls ? "on" : "off"])
        precondition(result.status == 0, "could not start the test MariaDB server: \(result.stderr)")
        startedDirectories.withLock { $0.append(directory) }
        _ = stopAtExit
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1].replacingOccurrences(of: "\\", with: "") }
        }
        return MySQLTestServer(directory: directory, socket: directory + "/mysqld.sock", port: values["FABRIC_TEST_MYSQL_PORT"] ?? "",
                               password: values["FABRIC_TEST_MYSQL_PASSWORD"] ?? "")
    }

    /// A store URL for a database of this name, over the unix socket.
    func url(database: String) -> String { "mysql://fabric@localhost/\(database)?socket=\(socket)" }

    /// Over TCP on the loopback address.
    func tcpURL(database: String) -> String { "mysql://fabric@127.0.0.1:\(port)/\(database)" }
}

/// The servers this process started, stopped at its exit.
private let startedDirectories = Mutex<[String]>([])

extension MySQLTestServer {
    /// Registers the stop once, with the first server started.
    fileprivate static let stopAtExit: Void = { atexit { MySQLTestServer.stopStarted() } }()

    fileprivate static func stopStarted() {
        for directory in startedDirectories.withLock({ $0 }) {
            let stop = Process()
            stop.executableURL = URL(fileURLWithPath: MySQLTestServer.script)
            stop.arguments = ["stop", directory]
            try? stop.run()
            stop.waitUntilExit()
        }
    }
}

extension Harness {
    /// A fresh database name for one test: the store creates it on first use.
    static func newDatabaseName() -> String {
        "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// Rows of a query on the store, as a user would inspect it (sqlite3, or the mariadb
    /// client), columns joined with |.
    /// A query that fails records an issue with the client's message (and returns no rows).
    func sql(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let result = switch backend {
        case .sqlite: run("/usr/bin/sqlite3", [store, query])
        case .mysql, .galera: run("/usr/bin/mariadb", ["--defaults-file=\(backend.clientOptions!)", "-N", "-B", "-r", database, "-e", query])
        }
        if result.status != 0 {
            Issue.record("\(query) failed (status \(result.status)): \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
        }
        return backend == .sqlite ? result.lines : result.lines.map { $0.replacingOccurrences(of: "\t", with: "|") }
    }

    /// A shell command that prints the rows of a query on this store, for scripts.
    func sqlCommand(_ query: String) -> String {
        switch backend {
        case .sqlite: "sqlite3 \"$FABRIC_STORE\" '\(query)'"
        case .mysql, .galera: "mariadb --defaults-file='\(backend.clientOptions!)' -N -B -r \(database) -e '\(query)'"
        }
    }
}
