import Foundation
import Testing

/// A group is a MySQL replication group (the mission: "easily expand and shrink the number of
/// servers in a group"), tested against real MariaDB servers that the embedded default's
/// machines run on loopback: the null provider with execute_userdata runs each machine's user
/// data (Tests/MariaDB/machine-userdata, a mariadbd with binary logs and GTIDs on the machine's
/// own address), the `mariadb-replica` recipe joins new members, the `replica` stage sees them
/// caught up, and a scale never removes the primary.
@Suite(.serialized, .enabled(if: LocalGroup.installed, "mariadbd is not installed (make deps installs it)"))
struct ReplicationGroupTests {
    /// One primary and two replicas that receive a row written on the primary; 20,000 rows,
    /// then a scale to 5 that returns only once both new replicas hold them all; a scale to 2
    /// that keeps the primary although it is the oldest; the scale's events replayed.
    @Test func aGroupOfThreeReplicatesGrowsCaughtUpAndShrinksAroundItsPrimary() throws {
        let group = try LocalGroup(subnet: 40)
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group repl --number_machines 3 \(group.createOptions) --events \(group.events)")
        #expect(created.status == 0, "\(created.stderr)")
        let roles = created.records.map { ($0["name"] as? String ?? "", $0["role"] as? String ?? "") }.sorted { $0.0 < $1.0 }
        #expect(roles.map(\.1) == ["primary", "replica", "replica"], "the first member is the primary: \(roles)")
        let primary = try #require(created.records.first { $0["role"] as? String == "primary" })
        let primaryAddress = try #require((primary["addresses"] as? [String])?.first)
        let replicas = created.records.filter { $0["role"] as? String == "replica" }.compactMap { ($0["addresses"] as? [String])?.first }
        #expect(created.records.allSatisfy { ($0["ready"] as? [String: Any])?["replica"] != nil }, "replica is a stage of each")

        group.sql(primaryAddress, "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(40)); INSERT INTO app.t VALUES (1, 'first')")
        for replica in replicas {
            #expect(group.eventually(replica, "SELECT v FROM app.t WHERE id = 1") == "first", "the row reached \(replica)")
        }

        // 20,000 rows, then two more members: the scale returns once they hold every one.
        group.sql(primaryAddress, """
            SET max_recursive_iterations = 100000; INSERT INTO app.t WITH RECURSIVE s(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM s WHERE n < 20001) SELECT n, CONCAT('row-', n) FROM s
            """)
        // Every process's argv, sampled while the scale runs its hooks: the password is in none.
        let argvs = group.h.directory.appendingPathComponent("argv").path
        let sampler = group.h.background("while :; do ps -eo args= >> \(argvs); sleep 0.02; done")
        let grown = group.h.sh("fabric --json machine scale db repl --to 5 --mysql_password_file \(group.passwordFile) --events \(group.events)")
        sampler.stop()
        #expect(grown.status == 0, "\(grown.stderr)")
        let sampled = (try? String(contentsOfFile: argvs, encoding: .utf8)) ?? ""
        #expect(sampled.contains("mariadb-replica") && !sampled.contains(group.password), "the hooks ran, and no argv held the password")
        #expect(grown.records.count == 2 && grown.records.allSatisfy { $0["role"] as? String == "replica" }, "\(grown.stdout)")
        for record in grown.records {
            let address = (record["addresses"] as? [String])?.first ?? ""
            #expect(group.sql(address, "SELECT COUNT(*) FROM app.t") == ["20001"], "\(address) holds every row as the scale returns")
        }

        // Down to 2: the primary stays although it is the oldest, and replicas go oldest first.
        let listed = group.h.sh("fabric --json machine list db --group repl --refresh", env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect(listed.records.filter { $0["role"] as? String == "primary" }.count == 1, "\(listed.stdout)")
        let shrunk = group.h.sh("fabric --json machine scale db repl --to 2 --mysql_password_file \(group.passwordFile) --events \(group.events)")
        #expect(shrunk.status == 0, "\(shrunk.stderr)")
        let removed = Set(shrunk.records.compactMap { $0["uuid"] as? String })
        #expect(removed.count == 3 && !removed.contains(primary["uuid"] as? String ?? ""), "the primary is kept: \(removed)")
        let left = Set(group.h.sh("fabric-list-machines -p db --group repl").records.compactMap { $0["uuid"] as? String })
        #expect(left.count == 2 && left.contains(primary["uuid"] as? String ?? ""))
        #expect(group.sql(primaryAddress, "SELECT COUNT(*) FROM app.t") == ["20001"])

        // The events alone give the group's final state, and each step in its order.
        let events = group.eventLines()
        var members = Set<String>(), ready = Set<String>()
        for event in events {
            let uuid = event["uuid"] as? String ?? ""
            switch event["event"] as? String {
            case "created": members.insert(uuid)
            case "ready": ready.insert(uuid)
            case "destroyed": members.remove(uuid); ready.remove(uuid)
            default: break
            }
        }
        #expect(members == left && ready == left, "replayed: \(members) vs \(left)")
        let summary = events.last { $0["event"] as? String == "summary" }
        #expect(Set(summary?["members"] as? [String] ?? []) == left)
        #expect(events.contains { $0["event"] as? String == "role" && $0["role"] as? String == "primary" })
        #expect(events.filter { $0["event"] as? String == "hook_ended" && $0["hook"] as? String == "before_destroy" }.count == 3)
        #expect(!group.eventsText().contains(group.password), "no secret in the events")
    }

    /// The primary killed and a replica promoted by hand: `list --refresh` sees the new
    /// primary, and the next scale keeps it with no `protect` by hand.
    @Test func aPromotedReplicaIsSeenAndProtectedByTheNextScale() throws {
        let group = try LocalGroup(subnet: 41)
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group repl --number_machines 3 \(group.createOptions)")
        #expect(created.status == 0, "\(created.stderr)")
        let byName = created.records.sorted { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }
        let old = try #require(byName.first), promoted = byName[2]
        let oldUUID = old["uuid"] as? String ?? "", promotedUUID = promoted["uuid"] as? String ?? ""
        let promotedAddress = (promoted["addresses"] as? [String])?.first ?? ""
        #expect(old["role"] as? String == "primary")

        // The old primary's server dies; the newest replica is promoted.
        group.killServer(of: oldUUID)
        group.sql(promotedAddress, "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = 0")
        let listed = group.h.sh("fabric --json machine list db --group repl --refresh", env: ["FABRIC_MYSQL_PASSWORD": group.password])
        let role = { (uuid: String) in listed.records.first { $0["uuid"] as? String == uuid }?["role"] as? String }
        #expect(role(promotedUUID) == "primary" && role(oldUUID) == "unknown", "\(listed.stdout)")
        #expect(group.h.sh("fabric-store get machine -p db \(promotedUUID)").records.first?["role"] as? String == "primary", "recorded")

        // Down to 1: the dead member and the other replica go, the new primary stays.
        let shrunk = group.h.sh("fabric --json machine scale db repl --to 1 --mysql_password_file \(group.passwordFile)")
        #expect(shrunk.status == 0, "\(shrunk.stderr)")
        let left = group.h.sh("fabric-list-machines -p db --group repl").records.compactMap { $0["uuid"] as? String }
        #expect(left == [promotedUUID], "\(left)")
        let refused = group.h.sh("fabric-scale -p db --group repl --to 0 --mysql-user fabric --mysql-port \(LocalGroup.port)", env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect(refused.status == 1 && refused.stderr.contains("\(promotedUUID) (the primary)"), "\(refused.stderr)")
    }

    /// A conflicting row on a replica stops its replication: the replica stage fails at once
    /// with the server's message, not at the timeout.
    @Test func aReplicationErrorFailsTheReplicaStageAtOnce() throws {
        let group = try LocalGroup(subnet: 42)
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group repl --number_machines 2 \(group.createOptions)")
        #expect(created.status == 0, "\(created.stderr)")
        let primary = try #require(created.records.first { $0["role"] as? String == "primary" })
        let replica = try #require(created.records.first { $0["role"] as? String == "replica" })
        let (primaryAddress, replicaAddress) = ((primary["addresses"] as? [String])?.first ?? "", (replica["addresses"] as? [String])?.first ?? "")
        group.sql(primaryAddress, "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY)")
        #expect(group.eventually(replicaAddress, "SELECT COUNT(*) FROM app.t") == "0")
        group.sql(replicaAddress, "SET sql_log_bin = 0; INSERT INTO app.t VALUES (7)")
        group.sql(primaryAddress, "INSERT INTO app.t VALUES (7)")
        let start = Date()
        let waited = group.h.sh("fabric machine wait db \(replica["uuid"] as? String ?? "") --until mysql:\(LocalGroup.port),replica --mysql_user fabric --timeout 120",
                                env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect(waited.status == 1, "\(waited.stderr)")
        #expect(waited.stderr.contains("failed at replica") && waited.stderr.contains("Duplicate entry '7'"), "\(waited.stderr)")
        #expect(Date().timeIntervalSince(start) < 60, "a replication error is final, not waited out")
    }

    /// Three Galera members (Tests/MariaDB/galera-machine-userdata: the first bootstraps the
    /// cluster, the others join it by rsync) reach the `synced` stage and read as `galera`.
    @Test(.enabled(if: GaleraCluster.installed, "galera-4 is not installed (make deps installs it)"))
    func threeGaleraMembersReachSynced() throws {
        let members = (1...3).map { "127.0.44.\($0)" }
        let group = try LocalGroup(subnet: 44, template: "Tests/MariaDB/galera-machine-userdata",
                                   substitutions: ["@FABRIC_TEST_MEMBERS@": members.joined(separator: ",")])
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group galera --number_machines 3 --userdata \(group.userdataFile) "
                                 + "--ready cloud-init,mysql:\(LocalGroup.port),synced --mysql_user fabric --mysql_password_file \(group.passwordFile) --timeout 240")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.records.count == 3 && created.records.allSatisfy { $0["role"] as? String == "galera" && $0["galera_state"] as? String == "Synced" },
                "\(created.stdout)")
        #expect(created.records.allSatisfy { ($0["ready"] as? [String: Any])?["synced"] != nil })
        group.sql(members[2], "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1)")
        #expect(group.eventually(members[0], "SELECT COUNT(*) FROM app.t") == "1", "a row written on one member is on another")
        let plan = group.h.sh("fabric-scale -p db --group galera --to 3 --mysql-user fabric --mysql-port \(LocalGroup.port)",
                              env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect((plan.records.first?["roles"] as? [String: String])?.values.allSatisfy { $0 == "galera" } == true, "\(plan.stdout)")
    }

    /// A hook that fails, or hangs past --hook_timeout, fails the create: nothing is left, in
    /// the cloud, the store or the processes the machines ran.
    @Test func aHookThatFailsOrHangsFailsTheCreateAndLeavesNothing() throws {
        let group = try LocalGroup(subnet: 43, userdata: "#!/bin/sh\nsleep 1043 &\necho FABRIC_READY\n")
        defer { group.tearDown() }
        let failed = group.h.expectFailure("fabric machine create db --group g --number_machines 2 --ready cloud-init --on_ready 'echo draining >&2; exit 4'",
                                           1, "failed at its on_ready hook: \"echo draining >&2; exit 4\" exited with status 4")
        #expect(failed.stderr.contains("draining"), "the hook's output reaches standard error")
        let hung = group.h.expectFailure("fabric machine create db --group g --number_machines 2 --ready cloud-init --on_ready 'sleep 317' --hook_timeout 1",
                                         5, "ran past its time limit (1 s)")
        #expect(hung.stderr.contains("removed the 2 machines"), "\(hung.stderr)")
        #expect(group.h.cloudMachines("db") == 0 && group.h.count("machines") == 0)
        #expect(group.machineDirectories().isEmpty, "every machine's directory is gone")
        #expect(group.processes(matching: "sleep 1043").isEmpty && group.processes(matching: "sleep 317").isEmpty,
                "the machines' processes and the hung hook are ended")
    }
}

/// A null provider whose machines run MariaDB on loopback addresses of their own (the subnet
/// 127.0.SUBNET.0/24, one per test, so tests run side by side), with the group's options.
struct LocalGroup {
    static let port = 13306
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/mariadbd") }

    let h = Harness()
    let password = "Repl-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    let root: String
    var passwordFile: String { h.directory.appendingPathComponent("mysql-password").path }
    var events: String { h.directory.appendingPathComponent("events.jsonl").path }
    var userdataFile: String { h.directory.appendingPathComponent("userdata.sh").path }

    /// The create options of a replication group: the recipe joins members, the replica stage
    /// sees them caught up.
    var createOptions: String {
        "--userdata \(userdataFile) --ready cloud-init,mysql:\(Self.port),replica --mysql_user fabric --mysql_password_file \(passwordFile) "
            + "--on_ready mariadb-replica --before_destroy mariadb-replica --timeout 180"
    }

    /// `userdata`: the machines' script as given; else the template, its placeholders filled.
    init(subnet: Int, userdata: String? = nil, template: String = "Tests/MariaDB/machine-userdata",
         substitutions: [String: String] = [:]) throws {
        // Short: a server's socket path must fit in 108 bytes.
        root = "/tmp/fm-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var script = try String(contentsOf: Harness.root.appendingPathComponent(template), encoding: .utf8)
        let filled = substitutions.merging(["@FABRIC_TEST_PASSWORD@": password, "@FABRIC_TEST_PORT@": String(Self.port)]) { $1 }
        for (placeholder, value) in filled { script = script.replacingOccurrences(of: placeholder, with: value) }
        if let userdata { script = userdata }
        try script.write(toFile: userdataFile, atomically: true, encoding: .utf8)
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        h.registerNull("db", extra: ["execute_userdata=true", "address_pool=127.0.\(subnet).1-127.0.\(subnet).20", "machines_dir=\(root)"])
    }

    /// Destroys what is left (ending the servers) and removes the machines' directories.
    func tearDown() {
        h.sh("fabric-list-machines -p db | fabric-destroy --force > /dev/null")
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The rows of a query on the server at `address`, as fabric logs in (tab-separated).
    @discardableResult
    func sql(_ address: String, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let result = h.run("/usr/bin/mariadb", ["--no-defaults", "--host=\(address)", "--port=\(Self.port)", "--protocol=TCP", "--user=fabric",
                                                "-N", "-B", "-e", query], env: ["MYSQL_PWD": password])
        #expect(result.status == 0, "\(query) on \(address): \(result.stderr)", sourceLocation: sourceLocation)
        return result.lines
    }

    /// The first row of a query once it answers one (replication takes a moment), or nil after 20 s.
    func eventually(_ address: String, _ query: String) -> String? {
        for _ in 0..<400 {
            let result = h.run("/usr/bin/mariadb", ["--no-defaults", "--host=\(address)", "--port=\(Self.port)", "--protocol=TCP",
                                                    "--user=fabric", "-N", "-B", "-e", query], env: ["MYSQL_PWD": password])
            if result.status == 0, let first = result.lines.first { return first }
            usleep(50_000)
        }
        return nil
    }

    /// Kills the machine's mariadbd (SIGKILL), as a crash would.
    func killServer(of uuid: String) {
        let pid = (try? String(contentsOfFile: "\(root)/\(uuid)/mysqld.pid.launch", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(!pid.isEmpty && kill(pid_t(pid) ?? 0, SIGKILL) == 0, "kill the server of \(uuid)")
        for _ in 0..<200 where processes(matching: "\(root)/\(uuid)/data").count > 0 { usleep(50_000) }
    }

    func machineDirectories() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] }

    /// Processes whose command line contains the text (and this test's machines' root, when
    /// the text is the machines' own).
    func processes(matching text: String) -> [String] {
        h.sh("ps -eo args= | grep -F -- '\(text)' | grep -v grep || true").lines
    }

    func eventsText() -> String { (try? String(contentsOfFile: events, encoding: .utf8)) ?? "" }

    func eventLines() -> [[String: Any]] {
        eventsText().split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// `machine refresh` rolls a replication group to a new golden image: new members before old,
/// replicas first, the primary last through the recipe's switchover; resumable after SIGKILL.
@Suite(.serialized, .enabled(if: LocalGroup.installed, "mariadbd is not installed (make deps installs it)"))
struct RefreshTests {
    /// The group's members as the cloud lists them: uuid, the options they were made of.
    func members(_ group: LocalGroup) -> [(uuid: String, spec: String)] {
        group.h.sh("fabric-list-machines -p db --group repl").records.map {
            ($0["uuid"] as? String ?? "", ($0["meta"] as? [String: String])?["fabric_spec"] ?? "")
        }
    }

    /// A group of 3 and one of 5. A writer inserts rows through an application account as fast
    /// as it can, following the primary by `machine list --refresh` when a write fails. Every
    /// row the old primary acknowledged is on the new one; the primary changes once; the group
    /// never has fewer than N ready members (from the events); every member is new at the end.
    @Test(arguments: [3, 5])
    func aRefreshRollsReplicasFirstAndThePrimaryLastWhileAWriterWrites(size: Int) throws {
        let group = try LocalGroup(subnet: size == 3 ? 47 : 49)
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group repl --number_machines \(size) \(group.createOptions)")
        #expect(created.status == 0, "\(created.stderr)")
        let old = Set(created.records.compactMap { $0["uuid"] as? String })
        let primary = try #require(created.records.first { $0["role"] as? String == "primary" })
        let primaryAddress = (primary["addresses"] as? [String])?.first ?? ""
        group.sql(primaryAddress, "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); "
                  + "CREATE USER 'writer'@'%' IDENTIFIED BY 'w-\(group.password)'; GRANT INSERT, SELECT ON app.* TO 'writer'@'%'")
        let acked = group.h.directory.appendingPathComponent("acked").path
        let stop = group.h.directory.appendingPathComponent("stop").path
        let writer = group.h.background("""
            export MYSQL_PWD='w-\(group.password)' FABRIC_MYSQL_PASSWORD='\(group.password)'
            primary=\(primaryAddress); id=0
            while [[ ! -e \(stop) ]]; do
              if mariadb --no-defaults -h "$primary" -P \(LocalGroup.port) --protocol=TCP -u writer --connect-timeout=2 -e "INSERT INTO app.t VALUES ($((id + 1)))" 2> /dev/null; then
                id=$((id + 1)); echo "$id" >> \(acked)
              else
                primary=$(fabric --json machine list db --group repl --refresh | jq -r 'select(.role == "primary") | .addresses[0]' | head -n 1)
                sleep 0.05
              fi
            done
            """)
        let refreshed = group.h.sh("fabric --json machine refresh db repl --image name=ubuntu-24.04-mysql-8.4 --switchover mariadb-replica --events \(group.events)",
                                   env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        let ackedAtTheEnd = (try? String(contentsOfFile: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
        usleep(1_000_000)
        #expect(FileManager.default.createFile(atPath: stop, contents: nil))
        _ = writer.finish(seconds: 60)

        let now = members(group)
        #expect(now.count == size && Set(now.map(\.uuid)).isDisjoint(with: old) && Set(now.map(\.spec)).count == 1, "every member is new: \(now)")
        let listed = group.h.sh("fabric --json machine list db --group repl --refresh", env: ["FABRIC_MYSQL_PASSWORD": group.password])
        let newPrimary = try #require(listed.records.first { $0["role"] as? String == "primary" }.flatMap { ($0["addresses"] as? [String])?.first })
        let rows = (try? String(contentsOfFile: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(rows > ackedAtTheEnd && ackedAtTheEnd > 0, "the writer wrote, and goes on writing on the new primary (its account came with the seed): \(ackedAtTheEnd) then \(rows)")
        #expect(group.sql(newPrimary, "SELECT COUNT(*) FROM app.t") == ["\(rows)"], "every acknowledged row is on the new primary")
        let events = group.eventLines()
        #expect(events.filter { $0["event"] as? String == "switchover" }.count == 1, "one change of primary")
        // Ready members over time, from the events: never fewer than three.
        var ready = old, fewest = old.count
        for event in events {
            let uuid = event["uuid"] as? String ?? ""
            switch event["event"] as? String {
            case "ready": ready.insert(uuid)
            case "destroying": ready.remove(uuid); fewest = min(fewest, ready.count)
            default: break
            }
        }
        #expect(fewest >= size, "the group kept at least \(size) ready members (fewest: \(fewest))")
        let again = group.h.sh("fabric --json machine refresh db repl --switchover mariadb-replica", env: ["FABRIC_MYSQL_PASSWORD": group.password])
        #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.contains("every member is made with the group's options"), "\(again.stderr)")
    }

    /// Without a switchover, the replicas are replaced and the refresh stops before the primary
    /// (exit status 3); killed with SIGKILL in the middle and run again, it goes on: every
    /// member ends new and no member is replaced twice.
    @Test func aRefreshStopsBeforeThePrimaryAndGoesOnAfterSIGKILL() throws {
        let group = try LocalGroup(subnet: 48)
        defer { group.tearDown() }
        let created = group.h.sh("fabric --json machine create db --group repl --number_machines 3 \(group.createOptions)")
        #expect(created.status == 0, "\(created.stderr)")
        let old = Set(created.records.compactMap { $0["uuid"] as? String })
        let primary = try #require(created.records.first { $0["role"] as? String == "primary" }?["uuid"] as? String)
        let env = ["FABRIC_MYSQL_PASSWORD": group.password]

        // Killed once its first new member is being made.
        let killed = group.h.background("exec fabric --json machine refresh db repl --image name=ubuntu-24.04-mysql-8.4 --events \(group.events)", env: env)
        for _ in 0..<600 where !group.eventsText().contains("\"event\":\"created\"") { usleep(20_000) }
        kill(killed.process.processIdentifier, SIGKILL)
        killed.process.waitUntilExit()
        usleep(300_000)

        let stopped = group.h.sh("fabric --json machine refresh db repl --events \(group.events)", env: env)
        #expect(stopped.status == 3 && stopped.stderr.contains("stopped before its primary \(primary)"), "\(stopped.status) \(stopped.stderr)")
        #expect(stopped.stderr.contains("already ready for") || stopped.stderr.contains("an interrupted refresh left half made"),
                "the run after the kill took up the step it found: \(stopped.stderr)")
        #expect(members(group).map(\.uuid).contains(primary), "the primary is never destroyed without a switchover")

        let finished = group.h.sh("fabric --json machine refresh db repl --switchover mariadb-replica --events \(group.events)", env: env)
        #expect(finished.status == 0, "\(finished.stderr)")
        let now = members(group)
        #expect(now.count == 3 && Set(now.map(\.uuid)).isDisjoint(with: old), "every member is new: \(now)")
        let destroyed = group.eventLines().filter { $0["event"] as? String == "destroyed" }.compactMap { $0["uuid"] as? String }
        #expect(destroyed.filter(old.contains).sorted() == old.sorted(), "each old member destroyed once: \(destroyed)")
        #expect(Set(destroyed).count == destroyed.count, "no member destroyed twice: \(destroyed)")
    }
}
