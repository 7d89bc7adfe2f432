import Foundation
import Testing

/// A team's store on a three-node MariaDB Galera cluster, named by one URL that lists the three
/// nodes: the store and concurrency suites hold on it, a node killed in the middle of
/// concurrent adds loses and doubles nothing, and `fabric-store path` and `check` say what the
/// cluster is. The suites' tests use the first node (the URL's first); the kill test lists the
/// third node first, kills it, and starts it again from the second. One test at a time: the
/// machine's cores, not the cluster, are what the tests wait on.
@Suite(.serialized, .enabled(if: GaleraCluster.installed, "mariadbd or galera-4 is not installed (make deps installs them)"))
struct GaleraTests {
    static var cluster: GaleraCluster { GaleraCluster.shared }

    /// The store and concurrency suites' tests that run on both SQLite and MariaDB. Not the 16 x 50
    /// mixed operations: its ~1,000 tool runs took most of the concurrency suite's 32 s on the
    /// cluster (two busy cores), and the kill test's eight concurrent writers cover writes at once there.
    enum SuiteTest: String, CaseIterable, Sendable {
        case recordsGoInAndComeOutTheSame, valuesWiderThanTheSpecsColumnsAreRefusedUpFront,
             exportImportMovesAStoreToTheOtherBackend, importChecksTheWholeExportFirst, aVersion1StoreIsMigrated,
             eightMachineCreatesAtOnce, writerKilledMidTransaction

        func run() throws {
            switch self {
            case .recordsGoInAndComeOutTheSame: StoreTests().recordsGoInAndComeOutTheSame(.galera)
            case .valuesWiderThanTheSpecsColumnsAreRefusedUpFront: StoreTests().valuesWiderThanTheSpecsColumnsAreRefusedUpFront(.galera)
            case .exportImportMovesAStoreToTheOtherBackend: try StoreTests().exportImportMovesAStoreToTheOtherBackend(.galera)
            case .importChecksTheWholeExportFirst: StoreTests().importChecksTheWholeExportFirst(.galera)
            case .aVersion1StoreIsMigrated: StoreTests().aVersion1StoreIsMigrated(.galera)
            case .eightMachineCreatesAtOnce: ConcurrencyTests().eightMachineCreatesAtOnce(.galera)
            case .writerKilledMidTransaction: ConcurrencyTests().writerKilledMidTransaction(.galera)
            }
        }
    }

    @Test(arguments: SuiteTest.allCases) func theStoreAndConcurrencySuitesHoldOnTheCluster(_ test: SuiteTest) throws {
        try test.run()
    }

    /// The URL lists node 3 first: path shows it so, and check reports three synced nodes, node 3
    /// used, and reads that wait for the cluster's writes. Eight processes add 25 machines each,
    /// one add at a time, through node 3; it is SIGKILLed once 60 rows are in. The adds go on
    /// through the next host of the list: an add that was
    /// not committing is sent again by the store itself; one that was committing says the
    /// change may or may not have been stored, and the worker runs it again, as the hint says.
    /// Every row is there exactly once. check then shows the node gone and a cluster of two;
    /// the node is started again (a full rsync state transfer) before the next test.
    @Test func aNodeKilledMidAddsLosesAndDoublesNothing() throws {
        let h = Harness(.galera)
        let cluster = Self.cluster
        let addresses = [cluster.addresses[2], cluster.addresses[0], cluster.addresses[1]]
        let url = "mysql://fabric@\(addresses.joined(separator: ","))/\(h.database)"
        let env = ["FABRIC_STORE": url]
        #expect(h.sh("fabric-store path", env: env).stdout == url + "\n", "shown as given")
        // A store that is not there is no healthy store: the first write makes it.
        h.expectFailure("fabric-store check", 4, "there is no store at", env: env)
        let register = h.sh("fabric provider register demo admin secret null:// demo --provider_type null --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium", env: env)
        try #require(register.status == 0, "\(register.stderr)")
        let before = h.sh("fabric-store check", env: env)
        #expect(before.status == 0, "\(before.stderr)")
        let healthy = try #require(before.records.first, "\(before.stdout) \(before.stderr)")
        #expect(healthy["healthy"] as? Bool == true && healthy["used"] as? String == addresses[0], "\(before.stdout)")
        #expect(healthy["wsrep_sync_wait"] as? Int == 1 && healthy["schema_version"] as? Int == 8, "\(before.stdout)")
        let all = try #require(healthy["hosts"] as? [[String: Any]])
        #expect(all.map { $0["address"] as? String ?? "" } == addresses)
        for host in all {
            #expect(host["answers"] as? Bool == true && host["wsrep_cluster_size"] as? Int == 3, "\(host)")
            #expect(host["wsrep_cluster_status"] as? String == "Primary" && host["wsrep_local_state_comment"] as? String == "Synced")
            #expect(host["wsrep_ready"] as? Bool == true && (host["version"] as? String ?? "").contains("MariaDB"))
        }
        let survivor = "mariadb --defaults-file='\(cluster.clientOptions(node: 1))' -N -B \(h.database)"
        let started = Date()
        let result = h.sh(#"""
            worker() {
              local w=$1 i tries
              for i in $(seq 25); do
                tries=0
                until printf '{"kind":"machine","provider_id":"demo","uuid":"w%02d-%02d"}\n' "$w" "$i" | fabric-store add > /dev/null 2>> "err.$w"; do
                  tries=$((tries + 1))
                  # Only what a lost node may leave unknown is run again.
                  tail -n 1 "err.$w" | grep -q "may or may not have been stored" && ((tries < 3)) || return 1
                  echo "w$w-$i" >> retried
                done
              done
            }
            for w in $(seq 8); do worker "$w" & done
            for _ in $(seq 600); do (( $(\#(survivor) -e 'SELECT count(*) FROM machines' 2> /dev/null || echo 0) >= 60 )) && break; sleep 0.05; done
            kill -KILL \#(cluster.pid(node: 3)); echo "killed at $(\#(survivor) -e 'SELECT count(*) FROM machines') rows"
            failed=0; for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
            echo "failed $failed"; echo "retried $(cat retried 2> /dev/null | wc -l)"; cat err.*
            """#, env: env)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.stdout.contains("killed at") && result.stdout.contains("failed 0\n"), "\(result.stdout) \(result.stderr)")
        // The node died mid-adds: at least 60 rows were in, and some of the 200 were still to
        // come (a kill after the last add would test nothing).
        let killedAt = result.stdout.split(separator: "\n").first { $0.hasPrefix("killed at ") }
            .flatMap { Int($0.dropFirst("killed at ".count).prefix { $0.isNumber }) }
        #expect(killedAt.map { (60..<200).contains($0) } == true, "node 3 was killed at \(killedAt.map(String.init) ?? "?") rows of 200")
        let rows = h.sh("\(survivor) -e 'SELECT count(*), count(DISTINCT machine_uuid) FROM machines'").stdout
        #expect(rows == "200\t200\n", "every add stored once: \(rows)")
        // After the kill, check sees the node gone and a cluster of two, the second node used.
        let check = h.sh("fabric-store check", env: env)
        #expect(check.status == 0, "the store is still usable: \(check.stderr)")
        let record = try #require(check.records.first, "\(check.stdout) \(check.stderr)")
        let hosts = try #require(record["hosts"] as? [[String: Any]])
        #expect(hosts.count == 3 && hosts[0]["answers"] as? Bool == false && !(hosts[0]["error"] as? String ?? "").isEmpty, "\(hosts)")
        #expect(hosts.dropFirst().allSatisfy { $0["answers"] as? Bool == true && $0["wsrep_cluster_size"] as? Int == 2 }, "\(hosts)")
        #expect(record["used"] as? String == addresses[1] && record["healthy"] as? Bool == true, "\(check.stdout)")
        let restarted = Date()
        let restart = cluster.restart(node: 3)
        try #require(restart.status == 0, "node 3 did not rejoin: \(restart.stderr)")
        let back = h.sh("fabric-store check | jq -c '[.used, (.hosts[] | .wsrep_cluster_size)]'", env: env)
        #expect(back.stdout == "[\"\(addresses[0])\",3,3,3]\n", "\(back.stdout) \(back.stderr)")
        print("galera: 8 x 25 adds with node 3 killed at \(result.stdout.split(separator: "\n").first { $0.hasPrefix("killed") } ?? "?"): \(rows.replacingOccurrences(of: "\t", with: "|").trimmingCharacters(in: .newlines)) rows, \(result.stdout.split(separator: "\n").first { $0.hasPrefix("retried") } ?? "?"), \(String(format: "%.1f", seconds)) s; node 3 rejoined in \(String(format: "%.1f", Date().timeIntervalSince(restarted))) s")
    }

    /// machine scale's lock on the cluster: two scales of one group at once, each through a
    /// node of its own (the URL lists a different node first), end with exactly N machines:
    /// the lock's row is taken in a transaction that Galera certifies cluster-wide, so the
    /// second waits for the first and then finds nothing to do. Both are seen waiting for the
    /// lock at once (GroupScaleTests.twoScalesAtOnce), so they overlap by construction.
    @Test func twoScalesThroughTwoNodesEndWithExactlyN() throws {
        let h = Harness(.galera)
        let nodes = Self.cluster.addresses
        let first = "mysql://fabric@\(nodes.joined(separator: ","))/\(h.database)"
        let second = "mysql://fabric@\([nodes[1], nodes[2], nodes[0]].joined(separator: ","))/\(h.database)"
        let register = h.sh("fabric provider register demo admin secret null:// demo --provider_type null --default_image ubuntu-24.04-mysql-8.4 "
                            + "--default_flavor m1.medium --extra build_seconds=1", env: ["FABRIC_STORE": first])
        try #require(register.status == 0, "\(register.stderr)")
        #expect(h.sh("fabric machine create demo --group overlap-galera --wait_spawning", env: ["FABRIC_STORE": first]).status == 0)
        GroupScaleTests.twoScalesAtOnce(h, group: "overlap-galera", stores: (first, second))
        let members = try h.listedRecords("FABRIC_STORE='\(second)' fabric-list-machines -p demo --group overlap-galera")
        #expect(members.count == 4)
    }
}
