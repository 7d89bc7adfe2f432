import Foundation
import Testing

/// The three-node Galera cluster of the test run (Tests/MariaDB/galera). `make test` starts it
/// in the background and passes its directory in FABRIC_TEST_GALERA_DIR; the first test that
/// needs it waits for it. Without it (a plain `swift test`), that test starts one, stopped when
/// the test process exits. Only GaleraTests use it, one test at a time: they kill its nodes.
struct GaleraCluster: Sendable {
    let directory: String
    let url: String
    let password: String
    static let script = Harness.root.appendingPathComponent("Tests/MariaDB/galera").path

    /// Debian's mariadb-server and galera-4 (make deps installs both).
    static let installed = FileManager.default.isExecutableFile(atPath: "/usr/sbin/mariadbd")
        && FileManager.default.fileExists(atPath: "/usr/lib/galera/libgalera_smm.so")

    static let shared: GaleraCluster = {
        if let directory = ProcessInfo.processInfo.environment["FABRIC_TEST_GALERA_DIR"] {
            let result = Harness().run(script, ["wait", directory])
            precondition(result.status == 0, "the test run's Galera cluster did not start: \(result.stderr)")
            return GaleraCluster(settings: result.stdout)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fabric-galera-\(UUID().uuidString.prefix(8))").path
        // With our pid, the script stops the cluster once this process has gone.
        let result = Harness().run(script, ["start", directory, String(getpid())])
        precondition(result.status == 0, "could not start the test Galera cluster: \(result.stderr)")
        return GaleraCluster(settings: result.stdout)
    }()

    /// From the script's FABRIC_TEST_GALERA_* assignments (printf %q: commas come escaped).
    private init(settings: String) {
        var values: [String: String] = [:]
        for line in settings.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1].replacingOccurrences(of: "\\", with: "") }
        }
        directory = values["FABRIC_TEST_GALERA_DIR"] ?? ""
        url = values["FABRIC_TEST_GALERA_URL"] ?? ""
        password = values["FABRIC_TEST_GALERA_PASSWORD"] ?? ""
    }

    /// The store URL naming all three nodes, for a database of this name.
    func url(database: String) -> String {
        String(url[..<url.lastIndex(of: "/")!]) + "/" + database
    }

    /// HOST:PORT of each node, in the URL's order.
    var addresses: [String] {
        let hosts = url.dropFirst("mysql://fabric@".count).prefix { $0 != "/" }
        return hosts.split(separator: ",").map(String.init)
    }

    /// An option file for the mariadb client as the test user on node N (1-3).
    func clientOptions(node: Int) -> String { "\(directory)/node\(node)/client.cnf" }

    func pid(node: Int) -> String {
        (try? String(contentsOfFile: "\(directory)/node\(node)/mysqld.pid.launch", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Starts node N again after a kill and waits until the cluster has three synced nodes.
    func restart(node: Int) -> Harness.Result {
        Harness().run(GaleraCluster.script, ["node", directory, String(node)])
    }
}
