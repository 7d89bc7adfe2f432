import Foundation
import Testing

/// "Fully operational" (the spec's --wait_spawning), stage by stage, as a user runs it: the null
/// provider's emulated boot log and ports; real MariaDB answering on loopback addresses its
/// address pool hands machines, starting late, refusing a wrong password, or never starting; the
/// fake OpenStack cloud's os-getConsoleOutput and EC2's GetConsoleOutput. Every connection goes
/// to 127.0.0.0/8: the null provider's pool takes loopback addresses only.
@Suite struct ReadinessTests {
    static let forwarder = Harness.root.appendingPathComponent("Tests/Readiness/delayed_forward.py").path

    func register(_ h: Harness, _ id: String = "demo", extra: [String]) {
        let extras = extra.map { "--extra \($0)" }.joined(separator: " ")
        let result = h.sh("fabric provider register \(id) admin secret null:// demo --provider_type null "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(extras)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    func expectNothingLeft(_ h: Harness, _ id: String = "demo", sourceLocation: SourceLocation = #_sourceLocation) {
        h.expectNothingListed("fabric-list-machines -p \(id)", "machines left", sourceLocation: sourceLocation)
        h.expectNothingListed("fabric-store list machines", "rows left", sourceLocation: sourceLocation)
    }

    /// The stages of a record's `ready`, in order, and their times.
    func readyTimes(_ raw: String) -> [(String, Double)] {
        // JSONSerialization forgets the order of keys; the line itself keeps it.
        guard let start = raw.range(of: "\"ready\":{") else { return [] }
        let object = raw[start.upperBound...].prefix { $0 != "}" }
        return object.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count >= 2, let seconds = Double(parts.last!) else { return nil }
            return (parts.dropLast().joined(separator: ":").replacingOccurrences(of: "\"", with: ""), seconds)
        }
    }

    // MARK: the null provider, emulated

    @Test func theProvidersReadyStagesAreReachedInOrderAndTimed() {
        let h = Harness()
        register(h, extra: ["ready=cloud-init,mysql", "cloud_init_seconds=1", "service_seconds=0.3"])
        let created = h.sh("fabric --json machine create demo --number_machines 3 --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        let lines = created.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        for line in lines {
            let times = readyTimes(line)
            #expect(times.map(\.0) == ["active", "address", "cloud-init", "mysql:3306"], "\(line)")
            #expect(zip(times, times.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "stages out of time order: \(times)")
            // cloud-init ends 1 s after ACTIVE; ACTIVE is seen within a poll of coming.
            let active = times.first?.1 ?? 0, cloudInit = times.first { $0.0 == "cloud-init" }?.1 ?? 0
            #expect(cloudInit - active >= 0.5, "cloud-init came before its second: \(times)")
        }
        #expect(h.sh("fabric-store list machines").records.count == 3)
    }

    @Test func aCloudInitFailureFailsTheCreateWithItsLineAndLeavesNothing() {
        let h = Harness()
        register(h, extra: ["fail_cloud_init=2", "cloud_init_seconds=0.5"])
        let result = h.expectFailure("fabric machine create demo --number_machines 3 --ready cloud-init", 1, "failed at cloud-init")
        #expect(result.stderr.contains("Failed running /var/lib/cloud/instance/scripts/part-001"), "\(result.stderr)")
        #expect(result.stderr.contains("-2)"), "the machine that failed is named: \(result.stderr)")
        expectNothingLeft(h)
    }

    @Test func aFailPatternFailsAtItsLine() {
        let h = Harness()
        register(h, extra: ["cloud_init_seconds=0.5"])
        // The emulated log's own 'init' line: an operator's pattern fails the stage at once.
        h.expectFailure("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --number 1 "
                        + "| fabric-wait --until cloud-init --fail-pattern \"running 'init' at [A-Z][a-z]{2},\"",
                        1, "running 'init' at")
        h.expectFailure("fabric-wait --until cloud-init --fail-pattern '(' --check", 64, "--fail-pattern \"(\"")
    }

    @Test func aStageThatNeverComesIsATimeoutNamingTheStageAndLeavesNothing() {
        let h = Harness()
        register(h, extra: ["cloud_init_seconds=600"])
        let result = h.expectFailure("fabric machine create demo --number_machines 2 --ready cloud-init --timeout 2", 5, "not ready after 2 s")
        #expect(result.stderr.contains("at cloud-init (no cloud-init final line in its boot log yet"), "\(result.stderr)")
        expectNothingLeft(h)
        let limited = h.expectFailure("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --number 1 "
                                      + "| fabric-wait --until cloud-init --stage-timeout cloud-init=1", 5, "stopped at cloud-init after 1 s")
        #expect(limited.stderr.contains("--stage-timeout cloud-init=SECONDS"))
        // The record still goes on, saying where the machine stopped.
        let stopped = limited.records.first?["stopped_at"] as? [String: Any]
        #expect(stopped?["stage"] as? String == "cloud-init" && stopped?["failed"] as? Bool == true, "\(limited.stdout)")
        #expect((stopped?["seconds"] as? Double ?? 0) >= 1, "\(limited.stdout)")
        #expect(readyTimes(limited.stdout).map(\.0) == ["active"], "\(limited.stdout)")
    }

    /// `machine wait` removes nothing: a machine that stops at a stage is stored with where it
    /// stopped, the others with the stage the wait left them at.
    @Test func aMachineWaitThatFailsStoresWhereEachMachineStopped() {
        let h = Harness()
        register(h, extra: ["fail_cloud_init=1", "cloud_init_seconds=0.3"])
        let created = h.sh("fabric --json machine create demo --number_machines 2")
        #expect(created.status == 0, "\(created.stderr)")
        let uuids = created.records.compactMap { $0["uuid"] as? String }
        let waited = h.sh("fabric --json machine wait demo \(uuids.joined(separator: " ")) --until cloud-init --timeout 30")
        #expect(waited.status == 1, "\(waited.stderr)")
        #expect(waited.stderr.contains("failed at cloud-init"), "\(waited.stderr)")
        let stored = h.sh("fabric-store list machines -p demo").records
        #expect(stored.count == 2)
        let failed = stored.filter { ($0["stopped_at"] as? [String: Any])?["failed"] as? Bool == true }
        #expect(failed.count == 1, "\(stored)")
        let reason = (failed.first?["stopped_at"] as? [String: Any])?["reason"] as? String
        #expect(reason?.contains("Failed running") == true, "\(failed)")
        // The other stopped at cloud-init too, or, when its log finished in the round that
        // failed, is stored ready.
        for record in stored {
            let stage = (record["stopped_at"] as? [String: Any])?["stage"] as? String
            #expect(stage == "cloud-init" || stage == nil && (record["ready"] as? [String: Any])?["cloud-init"] != nil, "\(record)")
        }
        // Waiting again, for a stage both reach, clears where they stopped.
        let again = h.sh("fabric --json machine wait demo \(uuids.joined(separator: " ")) --until active")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(h.sh("fabric-store list machines -p demo").records.allSatisfy { $0["stopped_at"] == nil })
    }

    /// A stored machine waited for again, failing: the stages the create reached keep the
    /// create's times (a build of two seconds), not the new wait's (active at once).
    @Test func aMachineWaitThatFailsKeepsTheTimesOfTheStagesReached() throws {
        let h = Harness()
        register(h, extra: ["build_seconds=2", "cloud_init_seconds=600"])
        let created = h.sh("fabric --json machine create demo --wait_spawning")
        let record = try #require(created.records.first, "\(created.stderr)")
        let uuid = record["uuid"] as? String ?? "none"
        let active = (record["ready"] as? [String: Any])?["active"] as? Double ?? -1
        #expect(active >= 0.5, "the create saw a build of two seconds: \(created.stdout)")
        h.expectFailure("fabric machine wait demo \(uuid) --until active,cloud-init --timeout 2", 5, "not ready after 2 s")
        let stored = h.sh("fabric-store get machine -p demo \(uuid) | jq -c '[.ready.active, .stopped_at.stage]'")
        #expect(stored.status == 0 && stored.stdout == "[\(active),\"cloud-init\"]\n", "\(stored.stdout) \(stored.stderr)")
    }

    @Test func aPublicAddressThatNoMachineWillHaveIsAUsageErrorBeforeTheCreate() {
        let h = Harness()
        register(h, extra: [])
        let result = h.expectFailure("fabric machine create demo --ready mysql --address public", 64,
                                     "--address public needs --public_network or --public_nics")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        expectNothingLeft(h)
        h.expectFailure("fabric machine create demo --ready mysql --address everywhere", 64, "--address must be auto, public or private")
        expectNothingLeft(h)
    }

    @Test(arguments: [
        ("--ready ready", "unknown stage \"ready\""),
        ("--ready port:70000", "must be a number from 1 to 65535"),
        ("--ready mysql,active", "stage active comes before mysql:3306"),
        ("--ready mysql --mysql_user ''", "Missing value for '--mysql_user"),
        ("--ready mysql --mysql_password secret", "Unknown option '--mysql_password'"),
        ("--wait_spawning --mysql_password_file /dev/null", "go with --mysql_user"),
        ("--ready mysql --mysql_user fabric --mysql_password_file /nonexistent/pw", "--mysql_password_file \"/nonexistent/pw\": No such file"),
        // A login needs a password source (an empty one stated as such) and a stage to use it.
        ("--ready mysql --mysql_user fabric", "--mysql_user \"fabric\" needs a password: --mysql_password_file FILE or $FABRIC_MYSQL_PASSWORD"),
        ("--ready cloud-init --mysql_user fabric --mysql_password_file /dev/null", "--mysql_user logs in at the mysql stage, and --ready cloud-init has none"),
        ("--wait_spawning --mysql_user fabric --mysql_password_file /dev/null", "provider \"demo\"'s ready setting (active) has none"),
        ("--mysql_user fabric --mysql_password_file /dev/null", "--mysql_user logs in at the mysql stage of a wait"),
    ])
    func badReadinessOptionsAreUsageErrorsThatMakeNothing(options: String, message: String) {
        let h = Harness()
        register(h, extra: [])
        let result = h.expectFailure("fabric machine create demo \(options)", 64, message)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("secret") || options.contains("mysql_password "), "a password was printed")
        expectNothingLeft(h)
        h.expectFailure("fabric provider register bad admin secret null:// demo --provider_type null --extra ready=mysql:0", 64,
                        "--extra ready=mysql:0: expected stages such as cloud-init,mysql:3306")
    }

    /// A machine asked to be reached at its public address has none: the stage cannot connect.
    @Test func aConnectingStageWithoutTheAddressFails() {
        let h = Harness()
        register(h, extra: [])
        h.expectFailure("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --number 1 | fabric-wait --until port:22 --address public",
                        1, "has no public address, so stage port:22 cannot connect to it")
    }

    // MARK: real MariaDB on loopback

    /// Forwarders to the run's MariaDB on the pool's addresses, listening after `delay` seconds,
    /// or once the file `after` exists.
    func startServers(on addresses: [String], port: Int, delay: Double, after: String? = nil) throws -> [Process] {
        let server = MySQLTestServer.shared
        return try addresses.map { address in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [Self.forwarder, "--listen", "\(address):\(port)", "--to", "127.0.0.1:\(server.port)",
                                 "--delay", String(delay), "--parent", String(getpid()), "--lifetime", "120"]
                + (after.map { ["--after-file", $0] } ?? [])
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
    }

    /// The servers start only once the machines are ACTIVE and the create is seen still
    /// waiting (an order, not a delay): MySQL cannot be reported before it started.
    @Test func mysqlServersThatStartLateAreSeenReadyWithALogin() throws {
        let h = Harness(), server = MySQLTestServer.shared, port = try Listener.freePort()
        register(h, "db", extra: ["address_pool=127.0.0.2-127.0.0.3"])
        let go = h.directory.appendingPathComponent("servers-start").path
        let servers = try startServers(on: ["127.0.0.2", "127.0.0.3"], port: port, delay: 0, after: go)
        defer { servers.forEach { $0.terminate() } }
        let password = h.write("mysql-password", server.password + "\n")
        let create = h.background("fabric --json machine create db --number_machines 2 --ready port:\(port),mysql:\(port) "
                                  + "--mysql_user fabric --mysql_password_file \(password)")
        let active = h.sh("""
            for _ in $(seq 1200); do [[ $(fabric-list-machines -p db | jq -r .status | sort | uniq -c | tr -s ' ') == ' 2 ACTIVE' ]] && break; sleep 0.05; done
            fabric-list-machines -p db | jq -r .status
            """)
        #expect(active.lines == ["ACTIVE", "ACTIVE"], "\(active.stdout) \(active.stderr)")
        #expect(create.isRunning, "the create ended before any MySQL server started")
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        let created = create.finish()
        #expect(created.status == 0, "\(created.stderr)")
        #expect(Set(created.records.compactMap { ($0["addresses"] as? [String])?.first }) == ["127.0.0.2", "127.0.0.3"])
        for line in created.stdout.split(separator: "\n").map(String.init) {
            let times = readyTimes(line)
            #expect(times.map(\.0) == ["active", "address", "port:\(port)", "mysql:\(port)"], "\(line)")
            #expect(times.map(\.1) == times.map(\.1).sorted(), "each stage reached after the one before: \(times)")
        }
        #expect(!created.stdout.contains(server.password) && !created.stderr.contains(server.password))
        // The same machines, waited for again: MySQL answers at once now.
        let uuids = created.records.compactMap { $0["uuid"] as? String }.joined(separator: " ")
        let again = h.sh("fabric --json machine wait db \(uuids) --until mysql:\(port) --mysql_user fabric",
                         env: ["FABRIC_MYSQL_PASSWORD": server.password])
        #expect(again.status == 0 && again.records.count == 2, "\(again.stderr)")
    }

    @Test func aWrongMySQLPasswordFailsAtOnceNamingTheMachine() throws {
        let h = Harness(), port = try Listener.freePort()
        register(h, "db", extra: ["address_pool=127.0.0.4-127.0.0.4"])
        let servers = try startServers(on: ["127.0.0.4"], port: port, delay: 0)
        defer { servers.forEach { $0.terminate() } }
        let start = Date()
        let result = h.expectFailure("fabric machine create db --ready mysql:\(port) --mysql_user fabric --timeout 60",
                                     1, "refused the login as \"fabric\"", env: ["FABRIC_MYSQL_PASSWORD": "not-the-password-\(port)"])
        #expect(result.stderr.contains("Access denied") && result.stderr.contains("127.0.0.4:\(port)"), "\(result.stderr)")
        #expect(result.stderr.contains("failed at mysql:\(port)"))
        #expect(!result.stderr.contains("not-the-password-\(port)"))
        // Status 1, not the timeout's 5, already says the refusal was final; the bound is half
        // the --timeout, generous on a busy machine, against a wait that retried the login.
        #expect(Date().timeIntervalSince(start) < 30, "a refused login is final, not waited out")
        expectNothingLeft(h, "db")
    }

    /// A public address that does not come in time is a TimeoutError (exit 5) at the end of the
    /// pipeline too: the wait after it passes the step's timeout on, not a MachineError of its own.
    @Test func aPublicAddressThatDoesNotComeIsATimeoutWithARollback() throws {
        let h = Harness()
        register(h, "db", extra: ["build_seconds=5"])
        let result = h.expectFailure("fabric machine create db --number_machines 2 --public_network public --timeout 1", 5,
                                     "fabric-public-address: TimeoutError: 2 machines without a public address after 1 s")
        #expect(result.stderr.contains("fabric-wait: TimeoutError:") && result.stderr.contains("removed the 2 machines"), "\(result.stderr)")
        expectNothingLeft(h, "db")
    }

    @Test func aMySQLServerThatNeverStartsIsATimeoutWithARollback() throws {
        let h = Harness(), port = try Listener.freePort()
        register(h, "db", extra: ["address_pool=127.0.0.5-127.0.0.6"])
        let result = h.expectFailure("fabric machine create db --number_machines 2 --ready mysql:\(port) --timeout 3", 5, "not ready after 3 s")
        #expect(result.stderr.contains("at mysql:\(port) (127.0.0.5:\(port): Connection refused)")
                || result.stderr.contains("at mysql:\(port) (127.0.0.6:\(port): Connection refused)"), "\(result.stderr)")
        expectNothingLeft(h, "db")
    }

    // MARK: the clouds' own boot logs

    @Test func novasConsoleOutputIsReadUntilCloudInitFinishes() throws {
        let h = Harness(), cloud = try FakeCloud()
        let registered = h.sh("fabric provider register os admin secret \(cloud.identityV3) demo "
                              + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --extra network=private")
        #expect(registered.status == 0, "\(registered.stderr)")
        let created = h.sh("fabric --json machine create os --number_machines 2 --ready cloud-init")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.records.count == 2)
        let asked = try cloud.requests().filter { ($0["path"] as? String)?.hasSuffix("/action") == true }
        #expect(!asked.isEmpty)
        for request in asked {
            let body = request["body"] as? [String: Any]
            #expect((body?["os-getConsoleOutput"] as? [String: Any])?["length"] as? Int == 1000, "\(request)")
        }
        // A log showing a user script failing fails the create, and nothing is left.
        try cloud.config(["console_log": [[0.0, "[    9.9] cloud-init[750]: 2026-12-04 10:00:10,011 - subp.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 [1]"],
                                          [0.1, "[   10.1] cloud-init[750]: Cloud-init v. 24.1.4 finished at Thu, 04 Dec 2026 10:00:10 +0000. Up 10.10 seconds"]]])
        let failed = h.expectFailure("fabric machine create os --ready cloud-init", 1, "failed at cloud-init")
        #expect(failed.stderr.contains("Failed running /var/lib/cloud/instance/scripts/part-001"))
        let left = try cloud.leftovers()
        #expect(left.servers == 2, "only the first create's machines are left: \(left)")
    }

    @Test func ec2ConsoleOutputIsReadUntilCloudInitFinishes() throws {
        let h = Harness(), ec2 = try LocalEC2()
        #expect(ec2.register(h).status == 0)
        try ec2.clearRequests()
        let created = h.sh("fabric --json machine create aws --number_machines 2 --ready cloud-init")
        #expect(created.status == 0, "\(created.stderr)")
        let asked = try ec2.requests("GetConsoleOutput")
        #expect(!asked.isEmpty && asked.allSatisfy { ($0["InstanceId"] ?? "").hasPrefix("i-") }, "\(asked)")
        let uuids = created.records.compactMap { $0["uuid"] as? String }.joined(separator: " ")
        #expect(h.sh("fabric machine destroy aws \(uuids)").status == 0)
        try ec2.config(["console_log": [[0.0, "cc_scripts_user.py[WARNING]: Failed to run module scripts_user (scripts in /var/lib/cloud/instance/scripts)"]]])
        h.expectFailure("fabric machine create aws --ready cloud-init --timeout 60", 1, "Failed to run module scripts_user")
        #expect(try ec2.leftovers().instances == 0)
    }

    // MARK: the port and mysql stages on the clouds' own machines, placed on loopback

    /// The fake cloud's private network on 127.0.7.0/24: servers that start after the machines
    /// are ACTIVE are seen ready through a login; none at all is a timeout with the rollback.
    @Test func theMySQLStageReachesTheFakeCloudsMachines() throws {
        let h = Harness(), cloud = try FakeCloud(), server = MySQLTestServer.shared, port = try Listener.freePort()
        _ = try cloud.control("POST", "cidrs", ["private": "127.0.7.0/24"])
        let registered = h.sh("fabric provider register os admin secret \(cloud.identityV3) demo "
                              + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --extra network=private")
        #expect(registered.status == 0, "\(registered.stderr)")
        h.expectFailure("fabric machine create os --number_machines 2 --ready mysql:\(port) --timeout 4", 5, "at mysql:\(port) (127.0.7.")
        #expect(try cloud.leftovers().servers == 0, "the create that timed out was rolled back")
        let created = h.sh("fabric --json machine create os --number_machines 2 --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        let addresses = created.records.compactMap { ($0["addresses"] as? [String])?.first }
        #expect(addresses.count == 2 && addresses.allSatisfy { $0.hasPrefix("127.0.7.") }, "\(addresses)")
        let servers = try startServers(on: addresses, port: port, delay: 1)
        defer { servers.forEach { $0.terminate() } }
        let uuids = created.records.compactMap { $0["uuid"] as? String }.joined(separator: " ")
        let waited = h.sh("fabric --json machine wait os \(uuids) --until port:\(port),mysql:\(port) --mysql_user fabric --timeout 60",
                          env: ["FABRIC_MYSQL_PASSWORD": server.password])
        #expect(waited.status == 0 && waited.records.count == 2, "\(waited.stderr)")
        for line in waited.stdout.split(separator: "\n").map(String.init) {
            #expect(readyTimes(line).map(\.0) == ["active", "address", "port:\(port)", "mysql:\(port)"], "\(line)")
        }
    }

    /// EC2's instances as the proxy maps their addresses into 127.0.8.0/24: no server is a
    /// timeout with the rollback; servers started after the instances run are seen ready.
    @Test func theMySQLStageReachesEC2Instances() throws {
        let h = Harness(), ec2 = try LocalEC2(), server = MySQLTestServer.shared, port = try Listener.freePort()
        try ec2.config(["loopback_cidr": "127.0.8.0/24"])
        #expect(ec2.register(h).status == 0)
        h.expectFailure("fabric machine create aws --number_machines 2 --ready mysql:\(port) --timeout 5", 5, "at mysql:\(port) (127.0.8.")
        #expect(try ec2.leftovers().instances == 0, "the create that timed out was rolled back")
        let created = h.sh("fabric --json machine create aws --number_machines 2 --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        // Where the stage connects: the public address when the instance has one, else the private.
        let addresses = created.records.compactMap { ($0["public_addresses"] as? [String])?.first ?? ($0["addresses"] as? [String])?.first }
        #expect(addresses.count == 2 && addresses.allSatisfy { $0.hasPrefix("127.0.8.") }, "\(addresses)")
        let servers = try startServers(on: addresses, port: port, delay: 1)
        defer { servers.forEach { $0.terminate() } }
        let uuids = created.records.compactMap { $0["uuid"] as? String }.joined(separator: " ")
        let waited = h.sh("fabric --json machine wait aws \(uuids) --until mysql:\(port) --mysql_user fabric --timeout 60",
                          env: ["FABRIC_MYSQL_PASSWORD": server.password])
        #expect(waited.status == 0 && waited.records.count == 2, "\(waited.stderr)")
        #expect(h.sh("fabric machine destroy aws \(uuids)").status == 0)
        #expect(try ec2.leftovers().instances == 0)
    }
}
